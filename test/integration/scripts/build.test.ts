import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { validateManifestSchema } from "../../../scripts/manifestSchema";
import { OFFICE_JS_CDN_URL } from "../../../scripts/officeJsPlugin";
import { referenceAvailability } from "../../support/sharedReference";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const outDirs: string[] = [];
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

    const html = readFileSync(path.join(result.outDir, "taskpane.html"), "utf8");
    expect(html).toContain(`<script src="${OFFICE_JS_CDN_URL}"></script>`);
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
  });

  it("ships the npm copy of office.js instead of the CDN with OFFICE_JS=local (offline tests)", () => {
    const result = runBuild({ ADDIN_BASE_URL: "https://sidebar.contoso.example", OFFICE_JS: "local" });
    expect(result.status, result.stderr).toBe(0);

    const html = readFileSync(path.join(result.outDir, "taskpane.html"), "utf8");
    expect(html).toContain('<script src="./office-js/office.js"></script>');
    expect(html).not.toContain(OFFICE_JS_CDN_URL);
    expect(existsSync(path.join(result.outDir, "office-js", "office.js"))).toBe(true);
  });
});
