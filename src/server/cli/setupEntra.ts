/**
 * npm run setup:entra -- --tenant <tenant GUID> --pane-url https://sidebar.contoso.com [--app-only]
 *   [--app-certificate <file.cer>] [--name "Sync Sidebar"] [--out data/entra-setup.ps1]
 * Prints the reviewed Microsoft Graph PowerShell that registers the pane, the backend API and (with --app-only) the
 * Graph app, writes it to --out, then prints the backend's environment and the manifest's ADDIN_BASE_URL.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { entraSetup, type EntraSetup } from "./entraScript.js";

export class UsageError extends Error {
  override name = "UsageError";
}

const USAGE =
  "Usage: npm run setup:entra -- --tenant <tenant GUID> --pane-url https://<pane host>[/path] [--app-only] " +
  "[--app-certificate <file.cer>] [--name <display name prefix>] [--out <file.ps1>]";

export function runSetupEntra(argv: string[]): EntraSetup & { file: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        tenant: { type: "string" },
        "pane-url": { type: "string" },
        "app-only": { type: "boolean", default: false },
        "app-certificate": { type: "string" },
        name: { type: "string" },
        out: { type: "string", default: path.join("data", "entra-setup.ps1") },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (!values.tenant) throw new UsageError(`--tenant is required\n${USAGE}`);
  if (!values["pane-url"]) throw new UsageError(`--pane-url is required\n${USAGE}`);
  const result = entraSetup({
    tenantId: values.tenant,
    paneUrl: values["pane-url"],
    appOnly: values["app-only"],
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values["app-certificate"] !== undefined ? { appCertificateFile: values["app-certificate"] } : {}),
  });
  if (!result.ok) {
    throw new UsageError(`${result.errors.map((e) => `${e.field} ${e.message}`).join("\n")}\n${USAGE}`);
  }
  const file = path.resolve(values.out);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, result.setup.script);
  return { ...result.setup, file };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  try {
    const setup = runSetupEntra(process.argv.slice(2));
    console.log(setup.script);
    console.log(`# Written to ${setup.file}. Review it, then run it in PowerShell 7: pwsh -File ${setup.file}\n`);
    console.log(setup.environment);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
