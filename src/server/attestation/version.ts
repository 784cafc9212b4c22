/** The product's version as package.json gives it, found from the sources (tsx) and from the build (dist/server). */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | null = null;

export function productVersion(): string {
  if (cached !== null) return cached;
  let folder = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    const file = path.join(folder, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "sync-sidebar" && pkg.version) return (cached = pkg.version);
    }
    folder = path.dirname(folder);
  }
  return (cached = "unknown");
}
