/**
 * Where the built pane is when STATIC_DIR is not set: `npm run build` puts the compiled server in dist/server/, next
 * to the pane in dist/, so the pane is the compiled server's parent folder; from the sources (tsx) it is ./dist.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const serverFolder = path.dirname(fileURLToPath(import.meta.url));

export function builtPaneFolder(): string {
  const compiled = path.resolve(serverFolder, "..");
  if (existsSync(path.join(compiled, "taskpane.html"))) return compiled;
  return path.resolve(serverFolder, "..", "..", "dist");
}
