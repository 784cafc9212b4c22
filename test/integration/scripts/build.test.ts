import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { strFromU8, unzipSync } from "fflate";
import { validateManifestSchema } from "../../../scripts/manifestSchema";
import { validateUnifiedFile } from "../../../scripts/unifiedSchema";
import { OFFICE_JS_CDN_URL, officeJsScriptTag } from "../../../scripts/officeJsPlugin";
import { freePort } from "../../support/freePort";
import { referenceAvailability } from "../../support/sharedReference";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const outDirs: string[] = [];
/** The production build of the CDN case, reused by the compiled-server cases (one build, not two). */
let productionBuild = "";
const reference = referenceAvailability();

afterAll(() => outDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs `npm run build`'s script into a fresh dist-* folder with exactly the env given (plus PATH/HOME). */
function runBuild(env: Record<string, string>) {
  const outDir = path.join(root, `dist-test-${randomUUID().slice(0, 8)}`);
  outDirs.push(outDir);
  const { ADDIN_BASE_URL: _base, OFFICE_JS: _officeJs, ...inherited } = process.env;
  const result = spawnSync(tsx, [path.join(root, "scripts", "build.ts"), "--out-dir", outDir], {
    cwd: root,
    encoding: "utf8",
    env: { ...inherited, ...env },
  });
  return { ...result, outDir };
}

describe("npm run build", () => {
  it("fails with a message naming ADDIN_BASE_URL when it is missing, before building anything", () => {
    const result = runBuild({});

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("ADDIN_BASE_URL is required");
    expect(existsSync(result.outDir)).toBe(false);
  });

  it("fails when the base URL would leave a localhost URL in the manifest", () => {
    const result = runBuild({ ADDIN_BASE_URL: "https://localhost:3000" });

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/still points at this machine: https:\/\/localhost:3000\//);
  });

  it("builds the pane with CDN Office.js and a stamped manifest that validates", () => {
    const result = runBuild({ ADDIN_BASE_URL: "https://sidebar.contoso.example/pane" });
    expect(result.status, result.stderr).toBe(0);
    productionBuild = result.outDir;

    const html = readFileSync(path.join(result.outDir, "taskpane.html"), "utf8");
    expect(html).toContain(officeJsScriptTag(OFFICE_JS_CDN_URL));
    expect(existsSync(path.join(result.outDir, "office-js"))).toBe(false);
    expect(existsSync(path.join(result.outDir, ".vite", "manifest.json"))).toBe(true);
    expect(existsSync(path.join(result.outDir, "icon-80.png"))).toBe(true);

    const manifestFile = path.join(result.outDir, "manifest.xml");
    const manifest = readFileSync(manifestFile, "utf8");
    const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    expect(manifest).toContain(`<Version>${version}.0</Version>`);
    expect(manifest).toContain('<SourceLocation DefaultValue="https://sidebar.contoso.example/pane/taskpane.html"/>');
    expect(manifest).not.toMatch(/https?:\/\/(localhost|127\.0\.0\.1)/);
    if (reference.available) expect(validateManifestSchema(manifestFile)).toEqual({ status: "valid" });
    expect(result.stdout).toMatch(reference.available ? /valid against the XSD/ : /NOT validated/);

    // The app package beside it: the unified manifest from the same stamped XML, schema-checked by the build.
    const appPackage = path.join(result.outDir, "sync-sidebar.zip");
    expect(validateUnifiedFile(appPackage)).toEqual({ status: "valid" });
    const unified = JSON.parse(strFromU8(unzipSync(readFileSync(appPackage))["manifest.json"]!)) as {
      version: string;
      extensions: Array<{ runtimes: Array<{ code: { page: string } }> }>;
    };
    expect(unified.version).toBe(version);
    expect(unified.extensions[0]!.runtimes[0]!.code.page).toBe(
      "https://sidebar.contoso.example/pane/taskpane.html?manifest=unified",
    );
    expect(result.stdout).toMatch(/sync-sidebar\.zip valid against the unified manifest schema/);
  });

  it("ships the npm copy of office.js instead of the CDN with OFFICE_JS=local (offline tests)", () => {
    const result = runBuild({ ADDIN_BASE_URL: "https://sidebar.contoso.example", OFFICE_JS: "local" });
    expect(result.status, result.stderr).toBe(0);

    const html = readFileSync(path.join(result.outDir, "taskpane.html"), "utf8");
    expect(html).toContain(officeJsScriptTag("./office-js/office.js"));
    expect(html).not.toContain(OFFICE_JS_CDN_URL);
    expect(existsSync(path.join(result.outDir, "office-js", "office.js"))).toBe(true);
  });
});

/** Every bare module specifier the compiled backend imports, with the file that imports it. */
function compiledImports(folder: string): Array<{ file: string; specifier: string }> {
  const found: Array<{ file: string; specifier: string }> = [];
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/g,
    )) {
      found.push({ file: path.relative(folder, file), specifier: (match[1] ?? match[2])! });
    }
  }
  return found;
}

describe("the compiled backend in dist/server", () => {
  it("imports only Node built-ins, its own files and production dependencies (no lab, no scripts, no tsx)", () => {
    expect(productionBuild, "the production build case must run first").not.toBe("");
    const { dependencies } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const imports = compiledImports(path.join(productionBuild, "server"));
    expect(imports.length).toBeGreaterThan(100);
    const outside = imports.filter(({ specifier }) => {
      if (specifier.startsWith("node:")) return false;
      if (specifier.startsWith(".")) return !/^\.\.?\/|^(\.\.\/)+(server|contract)\//.test(specifier);
      const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
      return !(name in dependencies);
    });
    expect(outside).toEqual([]);
    expect(imports.filter(({ specifier }) => /\/(lab|scripts)\//.test(specifier))).toEqual([]);
  });

  it("serves health, readiness, the pane with its CSP and API 404s with NODE_ENV=production, then stops on SIGTERM", async () => {
    expect(productionBuild, "the production build case must run first").not.toBe("");
    const port = await freePort();
    const dataDir = path.join(productionBuild, "data-test");
    // Exactly a production environment: no inherited NODE_ENV, STATIC_DIR or loader flags.
    const child = spawn(process.execPath, [path.join(productionBuild, "server", "serve.js")], {
      cwd: productionBuild,
      env: {
        PATH: process.env.PATH ?? "",
        NODE_ENV: "development",
        PORT: String(port),
        DATABASE_URL: path.join(dataDir, "app.db"),
        TOKEN_ISSUERS: "https://login.microsoftonline.com/{tenantid}/v2.0",
        TOKEN_AUDIENCE: "c5e2d8a4-7b1f-4a96-8e3d-9f0c1b2a6d48",
        SECRETS_KEYS: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
        ALLOWED_ORIGINS: "https://sidebar.contoso.example",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    try {
      let health: Response | null = null;
      for (let attempt = 0; attempt < 150 && !health?.ok; attempt += 1) {
        health = await fetch(`${base}/api/health`).catch(() => null);
        if (!health?.ok) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(health?.status, output).toBe(200);
      const ready = await fetch(`${base}/api/ready`);
      expect(await ready.json()).toEqual({ status: "ready", database: "ok", migrations: "applied", pending: [] });

      const pane = await fetch(`${base}/taskpane.html`);
      expect(pane.status).toBe(200);
      expect(pane.headers.get("content-security-policy")).toContain("frame-ancestors 'self' https://*.office.com");
      expect(await pane.text()).toContain(OFFICE_JS_CDN_URL);
      expect((await fetch(`${base}/server/main.js`)).status).toBe(404);
      const api = await fetch(`${base}/api/nope`);
      expect(api.status).toBe(404);
      expect(api.headers.get("content-type")).toContain("application/problem+json");
      // Production rules applied although the shell said development: the client config is not set up.
      expect((await fetch(`${base}/api/client-config`)).status).toBe(503);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited, output).toBe(0);
  });
});
