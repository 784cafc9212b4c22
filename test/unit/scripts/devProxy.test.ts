import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { UserConfig } from "vite";
import { describe, expect, it } from "vitest";
import { API_PREFIX } from "../../../src/contract/paths";

const projectRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** Every URL path the dev server answers from disk: the pane's root (src/taskpane) and its public folder (assets). */
function servedPaths(): string[] {
  const paths: string[] = [];
  for (const root of ["src/taskpane", "assets"]) {
    const base = path.join(projectRoot, root);
    for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
      if (entry.isFile())
        paths.push(`/${path.relative(base, path.join(entry.parentPath, entry.name)).split(path.sep).join("/")}`);
    }
  }
  return paths;
}

async function devServerConfig(): Promise<UserConfig> {
  const factory = (await import("../../../vite.config")).default as unknown as (env: {
    command: "serve";
    mode: string;
  }) => Promise<UserConfig>;
  return factory({ command: "serve", mode: "development" });
}

describe("the dev server's proxy to the backend", () => {
  it("forwards exactly the backend's prefix", async () => {
    const proxy = (await devServerConfig()).server?.proxy ?? {};
    expect(Object.keys(proxy)).toEqual([`${API_PREFIX}/`]);
  });

  it("never claims a path the pane itself serves", async () => {
    const prefixes = Object.keys((await devServerConfig()).server?.proxy ?? {});
    const served = servedPaths();
    expect(served).toContain("/taskpane.html");
    expect(served.filter((file) => prefixes.some((prefix) => file.startsWith(prefix)))).toEqual([]);
  });
});
