// `npm run validate [-- FILE] [-- --require-online]`: the manifest against the Office XSD with xmllint (offline), then
// Microsoft's validation service through office-addin-manifest when it can be reached.
// Exit codes: 0 = XSD valid and the service accepted it or could not be reached (said plainly);
//             1 = XSD invalid, the service rejected it, or the XSD check could not run under CI;
//             2 = --require-online (or MANIFEST_VALIDATION=online) and the service could not be reached.
// MANIFEST_VALIDATION=offline skips the service entirely (no traffic leaves the machine).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { validateManifestSchema } from "./manifestSchema";

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

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "require-online": { type: "boolean", default: false } },
  });
  const manifestFile = path.resolve(projectRoot, positionals[0] ?? "manifest.xml");
  const mode = process.env.MANIFEST_VALIDATION ?? "auto";
  const requireOnline = values["require-online"] || mode === "online";
  const shown = path.relative(projectRoot, manifestFile);

  const schema = validateManifestSchema(manifestFile);
  if (schema.status === "invalid") {
    console.error(`validate: ${shown} does NOT match the Office add-in manifest XSD:\n${schema.output}`);
    return 1;
  }
  if (schema.status === "skipped") {
    console.error(`validate: offline XSD check could not run: ${schema.reason}`);
    if (process.env.CI === "true") return 1;
  } else {
    console.log(`validate: ${shown} is valid against the Office add-in manifest XSD (offline, xmllint)`);
  }

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
