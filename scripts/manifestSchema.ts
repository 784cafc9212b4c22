import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** The add-in manifest XSD in the shared reference folder (`SHARED_DIR` overrides ../shared). */
export function manifestSchemaPath(env: NodeJS.ProcessEnv = process.env): string {
  const shared = env.SHARED_DIR ?? path.resolve(projectRoot, "..", "shared");
  return path.join(shared, "reference", "office-addin-manifest-schema", "OfficeAppManifestV1_1.xsd");
}

export type SchemaCheck =
  { status: "valid" } | { status: "invalid"; output: string } | { status: "skipped"; reason: string };

/** Validates a manifest file against the Office add-in manifest XSD with xmllint (offline). */
export function validateManifestSchema(manifestFile: string, env: NodeJS.ProcessEnv = process.env): SchemaCheck {
  const schema = manifestSchemaPath(env);
  if (!existsSync(schema))
    return { status: "skipped", reason: `manifest schema not found at ${schema} (set SHARED_DIR)` };
  const result = spawnSync("xmllint", ["--noout", "--schema", schema, manifestFile], { encoding: "utf8" });
  if (result.error) return { status: "skipped", reason: `xmllint is not installed (apt install libxml2-utils)` };
  if (result.status === 0) return { status: "valid" };
  return { status: "invalid", output: `${result.stderr}${result.stdout}`.trim() };
}
