// Validates a unified manifest (manifest.json, or the app package holding it) offline against the JSON schema that
// ships in the npm package @microsoft/app-manifest, with ajv (the schema is JSON Schema draft-04).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import Ajv from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import { unzipSync, strFromU8 } from "fflate";
import { PACKAGE_ICONS, UNIFIED_MANIFEST_VERSION } from "./unifiedManifest";

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS: under ESM its function is the default export's `default`.
const addFormats = (ajvFormats as unknown as { default?: typeof ajvFormats }).default ?? ajvFormats;

/** The schema file of `version` inside node_modules/@microsoft/app-manifest. */
export function unifiedSchemaPath(version = UNIFIED_MANIFEST_VERSION): string {
  const packageDir = path.dirname(require.resolve("@microsoft/app-manifest/package.json"));
  return path.join(packageDir, "build", "json-schemas", "teams", `v${version}`, "MicrosoftTeams.schema.json");
}

export type UnifiedCheck = { status: "valid" } | { status: "invalid"; output: string };

type Validator = ReturnType<Ajv["compile"]>;
const validators = new Map<string, Validator>();

function validatorFor(version: string): Validator | string {
  const file = unifiedSchemaPath(version);
  if (!existsSync(file)) return `no JSON schema for manifestVersion "${version}" in @microsoft/app-manifest`;
  let validate = validators.get(file);
  if (!validate) {
    // strict off: Microsoft's schema uses keywords ajv's strict mode refuses (e.g. "const" beside $ref descriptions).
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(file, "utf8")) as object);
    validators.set(file, validate);
  }
  return validate;
}

function pngSize(data: Uint8Array): { width: number; height: number; alpha: boolean } | null {
  const buffer = Buffer.from(data);
  if (buffer.subarray(0, 8).toString("hex") !== "89504e470d0a1a0a") return null;
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20), alpha: buffer[25] === 6 };
}

/** Checks a manifest object against its manifestVersion's schema. */
export function validateUnifiedManifest(manifest: unknown): UnifiedCheck {
  const version = (manifest as { manifestVersion?: unknown } | null)?.manifestVersion;
  if (typeof version !== "string") return { status: "invalid", output: "manifestVersion is missing" };
  const validate = validatorFor(version);
  if (typeof validate === "string") return { status: "invalid", output: validate };
  if (validate(manifest)) return { status: "valid" };
  const output = (validate.errors ?? [])
    .map((error) => `${error.instancePath || "/"} ${error.message ?? "is invalid"}${paramsOf(error.params)}`)
    .join("\n");
  return { status: "invalid", output };
}

function paramsOf(params: Record<string, unknown>): string {
  const shown = Object.entries(params)
    .filter(([, value]) => typeof value !== "object")
    .map(([key, value]) => `${key}: ${String(value)}`);
  return shown.length ? ` (${shown.join(", ")})` : "";
}

/**
 * Checks an app package (zip) or a manifest.json file: the manifest against the schema, and in a package the icons
 * it names (colour 192×192, outline 32×32 with transparency).
 */
export function validateUnifiedFile(file: string): UnifiedCheck {
  if (!existsSync(file)) return { status: "invalid", output: `${file} does not exist` };
  if (!file.endsWith(".zip")) return validateUnifiedManifest(JSON.parse(readFileSync(file, "utf8")));
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(file));
  } catch (error) {
    return { status: "invalid", output: `not a zip file: ${(error as Error).message}` };
  }
  const manifestEntry = entries["manifest.json"];
  if (!manifestEntry) return { status: "invalid", output: "the package has no manifest.json at its root" };
  const manifest = JSON.parse(strFromU8(manifestEntry)) as { icons?: { color?: string; outline?: string } };
  const schema = validateUnifiedManifest(manifest);
  const problems = schema.status === "invalid" ? [schema.output] : [];
  const expected = {
    color: { size: 192, name: PACKAGE_ICONS.color },
    outline: { size: 32, name: PACKAGE_ICONS.outline },
  };
  for (const [kind, { size }] of Object.entries(expected) as Array<[keyof typeof expected, { size: number }]>) {
    const name = manifest.icons?.[kind];
    const data = name === undefined ? undefined : entries[name];
    const png = data ? pngSize(data) : null;
    if (!png) problems.push(`/icons/${kind}: ${name ?? "(none)"} is not a PNG in the package`);
    else if (png.width !== size || png.height !== size) {
      problems.push(`/icons/${kind}: ${name} is ${png.width}×${png.height}, must be ${size}×${size}`);
    } else if (kind === "outline" && !png.alpha) problems.push(`/icons/outline: ${name} must have transparency`);
  }
  return problems.length ? { status: "invalid", output: problems.join("\n") } : { status: "valid" };
}
