// `npm run build`: the production pane into dist/ and dist/manifest.xml pointing at ADDIN_BASE_URL, and the backend
// compiled to dist/server/ (entry dist/server/main.js; `npm run serve` starts it).
// Env: ADDIN_BASE_URL (required), ADDIN_APP_DOMAINS (optional, comma-separated), OFFICE_JS=local (tests only).
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

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

export interface BuildOptions {
  baseUrl: string | undefined;
  outDir: string;
  officeJs: OfficeJsSource;
  extraAppDomains?: string[];
}

export interface BuildResult {
  outDir: string;
  manifestFile: string;
  manifestValidation: string;
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
  const serverEntry = buildServer(options.outDir);
  return { outDir: options.outDir, manifestFile, manifestValidation, serverEntry };
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
    });
    console.log(`build: pane in ${path.relative(projectRoot, result.outDir) || "."}/`);
    console.log(`build: ${path.relative(projectRoot, result.manifestFile)} ${result.manifestValidation}`);
    console.log(`build: backend in ${path.relative(projectRoot, result.serverEntry)} (npm run serve)`);
  } catch (error) {
    if (error instanceof ManifestStampError || error instanceof BuildFailure || error instanceof ServerBuildFailure) {
      console.error(`build failed: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
