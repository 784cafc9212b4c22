import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

export interface BuiltPane {
  dir: string;
  remove(): void;
}

/**
 * Builds the production pane for browser tests into a private dist-e2e-* folder, with office.js served locally
 * (OFFICE_JS=local) because the CDN is unreachable offline.
 */
export function buildPaneForTests(): BuiltPane {
  const dir = path.join(root, `dist-e2e-${randomUUID().slice(0, 8)}`);
  const result = spawnSync(
    path.join(root, "node_modules", ".bin", "tsx"),
    [path.join(root, "scripts", "build.ts"), "--out-dir", dir],
    {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, OFFICE_JS: "local", ADDIN_BASE_URL: "https://sidebar.e2e.example" },
    },
  );
  if (result.status !== 0) throw new Error(`building the pane failed:\n${result.stdout}\n${result.stderr}`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
