// `npm run build`: the production pane into dist/, dist/manifest.xml pointing at ADDIN_BASE_URL and the app package
// dist/sync-sidebar.zip (unified manifest.json + icons, derived from the same stamped XML), and the backend compiled
// to dist/server/ (entry dist/server/main.js; `npm run serve` starts it).
// Env: ADDIN_BASE_URL (required), ADDIN_APP_DOMAINS (optional, comma-separated), AUTH_CLIENT_ID and AUTH_API_SCOPES
// (optional: the pane's Entra app, declared as the unified manifest's webApplicationInfo), OFFICE_JS=local (tests).
// Flags: --out-dir DIR (default dist).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "vite";
import { buildServer, ServerBuildFailure } from "./buildServer";
import { validateManifestSchema } from "./manifestSchema";
import { ManifestStampError, stampManifest } from "./manifestStamp";
import { OFFICE_JS_CDN_URL, officeJsSourceFromEnv, type OfficeJsSource } from "./officeJsPlugin";
import {
  APP_PACKAGE_NAME,
  appPackage,
  unifiedManifestFrom,
  UnifiedManifestError,
  type UnifiedAuthOptions,
} from "./unifiedManifest";
import { validateUnifiedFile } from "./unifiedSchema";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

export interface BuildOptions {
  baseUrl: string | undefined;
  outDir: string;
  officeJs: OfficeJsSource;
  extraAppDomains?: string[];
  /** The pane's Entra app for the unified manifest's webApplicationInfo; null leaves it out. */
  auth?: UnifiedAuthOptions | null;
}

export interface BuildResult {
  outDir: string;
  manifestFile: string;
  manifestValidation: string;
  appPackageFile: string;
  appPackageNote: string;
  serverEntry: string;
}

class BuildFailure extends Error {
  override name = "BuildFailure";
}

export async function buildAddin(options: BuildOptions): Promise<BuildResult> {
  const version = (JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string })
    .version;
  // Stamp first: a missing or wrong ADDIN_BASE_URL fails in milliseconds, before the bundler runs.
  const manifest = stampManifest(readFileSync(path.join(projectRoot, "manifest.xml"), "utf8"), {
    version,
    baseUrl: options.baseUrl,
    extraAppDomains: options.extraAppDomains ?? [],
  });
  const unified = unifiedManifestFrom(manifest, options.auth ?? null);

  process.env.OFFICE_JS = options.officeJs;
  await build({
    configFile: path.join(projectRoot, "vite.config.ts"),
    mode: "production",
    logLevel: "warn",
    build: { outDir: options.outDir, emptyOutDir: true },
  });

  const html = readFileSync(path.join(options.outDir, "taskpane.html"), "utf8");
  const expectedOfficeJs = options.officeJs === "cdn" ? OFFICE_JS_CDN_URL : "./office-js/office.js";
  if (!html.includes(`src="${expectedOfficeJs}"`)) {
    throw new BuildFailure(`dist/taskpane.html does not load Office.js from ${expectedOfficeJs}`);
  }

  const manifestFile = path.join(options.outDir, "manifest.xml");
  writeFileSync(manifestFile, manifest);
  const check = validateManifestSchema(manifestFile);
  if (check.status === "invalid") throw new BuildFailure(`the built manifest fails the XSD:\n${check.output}`);
  if (check.status === "skipped" && process.env.CI === "true") {
    throw new BuildFailure(`the built manifest could not be validated under CI: ${check.reason}`);
  }
  const manifestValidation = check.status === "valid" ? "valid against the XSD" : `NOT validated (${check.reason})`;

  const appPackageFile = path.join(options.outDir, APP_PACKAGE_NAME);
  writeFileSync(appPackageFile, appPackage(unified));
  const unifiedCheck = validateUnifiedFile(appPackageFile);
  if (unifiedCheck.status === "invalid") {
    throw new BuildFailure(`the built app package fails the unified manifest schema:\n${unifiedCheck.output}`);
  }
  const appPackageNote = options.auth
    ? "valid against the unified manifest schema"
    : "valid against the unified manifest schema; no webApplicationInfo (set AUTH_CLIENT_ID for NAA consent)";
  const serverEntry = buildServer(options.outDir);
  return { outDir: options.outDir, manifestFile, manifestValidation, appPackageFile, appPackageNote, serverEntry };
}

/** AUTH_CLIENT_ID / AUTH_API_SCOPES, the same variables the backend publishes to the pane. */
export function authFromEnv(env: NodeJS.ProcessEnv): UnifiedAuthOptions | null {
  const clientId = env.AUTH_CLIENT_ID?.trim();
  if (!clientId) return null;
  const apiScopes = (env.AUTH_API_SCOPES ?? "").split(/[\s,]+/).filter(Boolean);
  return { clientId, apiScopes };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "out-dir": { type: "string", default: "dist" } } });
  const outDir = path.resolve(projectRoot, values["out-dir"]);
  try {
    const result = await buildAddin({
      baseUrl: process.env.ADDIN_BASE_URL,
      outDir,
      officeJs: officeJsSourceFromEnv(),
      extraAppDomains: (process.env.ADDIN_APP_DOMAINS ?? "").split(","),
      auth: authFromEnv(process.env),
    });
    console.log(`build: pane in ${path.relative(projectRoot, result.outDir) || "."}/`);
    console.log(`build: ${path.relative(projectRoot, result.manifestFile)} ${result.manifestValidation}`);
    console.log(`build: ${path.relative(projectRoot, result.appPackageFile)} ${result.appPackageNote}`);
    console.log(`build: backend in ${path.relative(projectRoot, result.serverEntry)} (npm run serve)`);
  } catch (error) {
    if (
      error instanceof ManifestStampError ||
      error instanceof UnifiedManifestError ||
      error instanceof BuildFailure ||
      error instanceof ServerBuildFailure
    ) {
      console.error(`build failed: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
