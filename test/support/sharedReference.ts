import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Folder of the shared reference data (schemas); `SHARED_DIR` overrides the default `../shared` beside the project. */
export function sharedDir(): string {
  return process.env.SHARED_DIR ?? path.resolve(projectRoot, "..", "shared");
}

export function referencePath(...parts: string[]): string {
  return path.join(sharedDir(), "reference", ...parts);
}

/**
 * Whether tests that validate against ../shared/reference can run. Outside CI a missing folder skips them with a
 * reason; under CI=true its absence is a failure, because those tests are the proof the protocols are right.
 */
export function referenceAvailability(): { available: true } | { available: false; reason: string } {
  const dir = referencePath();
  if (existsSync(dir)) return { available: true };
  const reason = `shared reference folder not found at ${dir} (set SHARED_DIR); schema validation tests are skipped`;
  if (process.env.CI === "true")
    throw new Error(`CI=true but ${reason.replace("; schema validation tests are skipped", "")}`);
  return { available: false, reason };
}
