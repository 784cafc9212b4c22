// Gzip bytes of the JS and CSS the sidebar loads before its first render: taskpane.html's entry chunk plus its static
// imports, from Vite's build manifest (office.js comes from Microsoft's CDN and is excluded; lazy chunks too).
// Builds into a temporary dist-bench-* folder unless `--dist DIR` names an existing build.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

const TARGET_BYTES = 150 * 1024;
const root = fileURLToPath(new URL("..", import.meta.url));

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

/** Files loaded before first render: the entry, its static imports (transitively), and their CSS. */
export function initialFiles(manifest: Record<string, ManifestChunk>, entryKey: string): string[] {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    chunk.css?.forEach((css) => files.add(css));
    chunk.imports?.forEach(visit);
  };
  visit(entryKey);
  return [...files];
}

/** Gzip bytes a lazy entry adds on top of what is already loaded: its chunk and static imports not in `loaded`. */
function lazyGzipBytes(
  manifest: Record<string, ManifestChunk>,
  entryKey: string,
  loaded: string[],
  dist: string,
): number | null {
  if (!manifest[entryKey]) return null;
  return initialFiles(manifest, entryKey)
    .filter((file) => !loaded.includes(file))
    .reduce((sum, file) => sum + gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length, 0);
}

function buildInto(dir: string): void {
  const result = spawnSync(
    path.join(root, "node_modules", ".bin", "tsx"),
    [path.join(root, "scripts", "build.ts"), "--out-dir", dir],
    // Build chatter goes to stderr so stdout carries only the JSON line.
    { cwd: root, stdio: ["ignore", 2, 2], env: { ...process.env, ADDIN_BASE_URL: "https://bench.example" } },
  );
  if (result.status !== 0) throw new Error("bench bundle: the build failed");
}

const { values } = parseArgs({ args: process.argv.slice(3), options: { dist: { type: "string" } } });
const ownBuild = values.dist === undefined;
const dist = ownBuild ? path.join(root, `dist-bench-${randomUUID().slice(0, 8)}`) : path.resolve(values.dist!);
try {
  if (ownBuild) buildInto(dist);
  const manifest = JSON.parse(readFileSync(path.join(dist, ".vite", "manifest.json"), "utf8")) as Record<
    string,
    ManifestChunk
  >;
  const files = initialFiles(manifest, "taskpane.html");
  const sizes = files.map((file) => {
    const data = readFileSync(path.join(dist, file));
    return { file, bytes: data.length, gzip_bytes: gzipSync(data, { level: 9 }).length };
  });
  const gzipTotal = sizes.reduce((sum, entry) => sum + entry.gzip_bytes, 0);
  const lazyChunks = Object.values(manifest).filter(
    (chunk) => !files.includes(chunk.file) && chunk.file.endsWith(".js"),
  );
  console.log(
    JSON.stringify({
      bench: "bundle",
      sidebar_initial_gzip_bytes: gzipTotal,
      sidebar_initial_raw_bytes: sizes.reduce((sum, entry) => sum + entry.bytes, 0),
      target_gzip_bytes: TARGET_BYTES,
      within_target: gzipTotal <= TARGET_BYTES,
      initial_files: sizes,
      lazy_chunks: lazyChunks.length,
      // Loaded on demand: the admin settings view, and MSAL with the sign-in service (after the first render).
      admin_chunk_gzip_bytes: lazyGzipBytes(manifest, "admin/AdminApp.tsx", files, dist),
      msal_chunk_gzip_bytes: lazyGzipBytes(manifest, "auth/msalModule.ts", files, dist),
    }),
  );
} finally {
  if (ownBuild) rmSync(dist, { recursive: true, force: true });
}
