// The backend and its CLIs compiled to JavaScript (tsconfig.server.json): <outDir>/server/main.js, next to the pane,
// so production runs `node dist/server/serve.js` from `npm ci --omit=dev` plus dist/, without TypeScript tooling.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const tsc = path.join(projectRoot, "node_modules", "typescript", "bin", "tsc");

export class ServerBuildFailure extends Error {
  override name = "ServerBuildFailure";
}

export function buildServer(outDir: string): string {
  for (const folder of ["server", "contract"]) rmSync(path.join(outDir, folder), { recursive: true, force: true });
  const result = spawnSync(
    process.execPath,
    [tsc, "-p", path.join(projectRoot, "tsconfig.server.json"), "--outDir", outDir],
    { cwd: projectRoot, encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new ServerBuildFailure(`the backend does not compile:\n${result.stdout}${result.stderr}`);
  }
  return path.join(outDir, "server", "main.js");
}
