// `npm run validate [-- FILE...] [-- --require-online]`: both manifests, offline: each XML manifest against the Office
// XSD with xmllint, each unified manifest (an app package .zip or a manifest.json) against the JSON schema shipped in
// @microsoft/app-manifest with ajv; then Microsoft's validation service for the first XML manifest, through
// office-addin-manifest, when it can be reached. Without FILE: manifest.xml and its dev unified twin (in memory), and
// dist/manifest.xml and dist/sync-sidebar.zip when a build left them.
// Exit codes: 0 = every file valid offline and the service accepted the XML or could not be reached (said plainly);
//             1 = a file invalid, the service rejected it, or the XSD check could not run under CI;
//             2 = --require-online (or MANIFEST_VALIDATION=online) and the service could not be reached.
// MANIFEST_VALIDATION=offline skips the service entirely (no traffic leaves the machine).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { devUnifiedManifest } from "./devManifests";
import { validateManifestSchema } from "./manifestSchema";
import { APP_PACKAGE_NAME } from "./unifiedManifest";
import { validateUnifiedFile, validateUnifiedManifest, type UnifiedCheck } from "./unifiedSchema";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const SERVICE_HOST = "validationgateway.omex.office.net";
const SERVICE_TIMEOUT_MS = 20_000;

type OnlineResult =
  { status: "accepted" } | { status: "rejected"; details: string } | { status: "unreachable"; reason: string };

async function validateOnline(manifestFile: string): Promise<OnlineResult> {
  const { validateManifest } = await import("office-addin-manifest");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${SERVICE_TIMEOUT_MS / 1000} s`)), SERVICE_TIMEOUT_MS);
  });
  try {
    const validation = await Promise.race([validateManifest(manifestFile), timeout]);
    if (validation.isValid) return { status: "accepted" };
    if (validation.status !== undefined && validation.status >= 500) {
      return { status: "unreachable", reason: `the service answered HTTP ${validation.status}` };
    }
    const issues = [...(validation.report?.errors ?? []), ...(validation.report?.warnings ?? [])];
    const details = issues.length
      ? issues.map((issue) => `  ${issue.title ?? "Issue"}: ${issue.content ?? ""}`).join("\n")
      : `  HTTP ${validation.status ?? "?"} ${validation.statusText ?? ""}`;
    return { status: "rejected", details };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: "unreachable", reason: message.split("\n").slice(-1)[0] ?? message };
  } finally {
    clearTimeout(timer);
  }
}

/** Each file offline; true when all are valid (a skipped XSD check counts as invalid under CI only). */
function validateOffline(files: string[], withDevTwin: boolean): boolean {
  let ok = true;
  const report = (shown: string, kind: string, check: UnifiedCheck) => {
    if (check.status === "valid") console.log(`validate: ${shown} is valid against the ${kind} (offline)`);
    else {
      console.error(`validate: ${shown} does NOT match the ${kind}:\n${check.output}`);
      ok = false;
    }
  };
  for (const file of files) {
    const shown = path.relative(projectRoot, file);
    if (file.endsWith(".xml")) {
      const schema = validateManifestSchema(file);
      if (schema.status === "skipped") {
        console.error(`validate: offline XSD check of ${shown} could not run: ${schema.reason}`);
        if (process.env.CI === "true") ok = false;
      } else {
        report(shown, "Office add-in manifest XSD (xmllint)", schema);
      }
    } else {
      report(shown, "unified manifest JSON schema (@microsoft/app-manifest, ajv)", validateUnifiedFile(file));
    }
  }
  if (withDevTwin) {
    report(
      "manifest.xml's unified twin",
      "unified manifest JSON schema (@microsoft/app-manifest, ajv)",
      validateUnifiedManifest(devUnifiedManifest()),
    );
  }
  return ok;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "require-online": { type: "boolean", default: false } },
  });
  const given = positionals.map((file) => path.resolve(projectRoot, file));
  const built = [path.join(projectRoot, "dist", "manifest.xml"), path.join(projectRoot, "dist", APP_PACKAGE_NAME)];
  const files = given.length > 0 ? given : [path.join(projectRoot, "manifest.xml"), ...built.filter(existsSync)];
  const mode = process.env.MANIFEST_VALIDATION ?? "auto";
  const requireOnline = values["require-online"] || mode === "online";

  if (!validateOffline(files, given.length === 0)) return 1;
  const manifestFile = files.find((file) => file.endsWith(".xml"));
  if (manifestFile === undefined) return 0;

  if (mode === "offline") {
    console.log("validate: online validation skipped (MANIFEST_VALIDATION=offline)");
    return 0;
  }
  console.log(`validate: asking Microsoft's validation service (${SERVICE_HOST})...`);
  const online = await validateOnline(manifestFile);
  switch (online.status) {
    case "accepted":
      console.log("validate: Microsoft's validation service accepted the manifest");
      return 0;
    case "rejected":
      console.error(`validate: Microsoft's validation service rejected the manifest:\n${online.details}`);
      return 1;
    case "unreachable":
      console.warn(
        `validate: Microsoft's validation service is NOT reachable from this machine (${online.reason}).\n` +
          "validate: online validation did not run; only the offline XSD check above applies. " +
          "Run `npm run validate` on a machine with internet access before publishing.",
      );
      return requireOnline ? 2 : 0;
  }
}

// Exit explicitly: an abandoned request to an unreachable service must not keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
