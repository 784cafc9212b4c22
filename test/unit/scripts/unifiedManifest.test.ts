import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { strFromU8, unzipSync, zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { devUnifiedManifest } from "../../../scripts/devManifests";
import { stampManifest } from "../../../scripts/manifestStamp";
import { addinFacts, appPackage, unifiedAppId, unifiedManifestFrom } from "../../../scripts/unifiedManifest";
import { validateUnifiedFile, validateUnifiedManifest } from "../../../scripts/unifiedSchema";
import { referenceAvailability } from "../../support/sharedReference";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const devXml = readFileSync(path.join(root, "manifest.xml"), "utf8");
const reference = referenceAvailability();
const scratch = mkdtempSync(path.join(os.tmpdir(), "unified-manifest-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const auth = { clientId: "3b9a6c1e-8f2d-4e57-a0c4-6d1b2e9f7a35", apiScopes: ["api://c5e2d8a4/access_as_user"] };

interface Unified {
  id: string;
  version: string;
  name: { short: string };
  webApplicationInfo?: { id: string; resource?: string };
  authorization: { permissions: { resourceSpecific: Array<{ name: string; type: string }> } };
  validDomains: string[];
  extensions: Array<{
    requirements: { scopes: string[]; capabilities: Array<{ name: string; minVersion: string }> };
    runtimes: Array<{ code: { page: string }; actions: Array<{ pinnable: boolean }> }>;
    ribbons: Array<{ contexts: string[] }>;
    alternates: Array<{ hide: { customOfficeAddin: { officeAddinId: string } } }>;
  }>;
}

function validateCli(...files: string[]) {
  return spawnSync(tsx, [path.join(root, "scripts", "validate-manifest.ts"), ...files], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, MANIFEST_VALIDATION: "offline" },
  });
}

describe("the unified manifest", () => {
  const production = stampManifest(devXml, { version: "1.4.2", baseUrl: "https://sidebar.contoso.example" });
  const manifest = unifiedManifestFrom(production, auth) as unknown as Unified;
  const facts = addinFacts(production);

  it("is valid against the JSON schema shipped in @microsoft/app-manifest", () => {
    expect(validateUnifiedManifest(manifest)).toEqual({ status: "valid" });
  });

  it("carries the XML manifest's version, name, URLs, requirement sets and permission", () => {
    expect(manifest.version).toBe("1.4.2");
    expect(manifest.name.short).toBe(facts.name);
    const extension = manifest.extensions[0]!;
    expect(extension.runtimes[0]!.code.page).toBe("https://sidebar.contoso.example/taskpane.html?manifest=unified");
    expect(extension.requirements).toEqual({
      scopes: ["mail"],
      capabilities: [{ name: "Mailbox", minVersion: "1.3" }],
    });
    expect(extension.runtimes[0]!.actions[0]!.pinnable).toBe(true);
    expect(extension.ribbons[0]!.contexts).toEqual(["mailRead", "mailCompose"]);
    expect(manifest.authorization.permissions.resourceSpecific).toEqual([
      { name: "MailboxItem.Read.User", type: "Delegated" },
    ]);
    expect(manifest.validDomains).toEqual(["sidebar.contoso.example", "login.microsoftonline.com"]);
  });

  it("hides the XML add-in of the same Id through alternates, under an app id derived from it", () => {
    const alternate = manifest.extensions[0]!.alternates[0]!;
    expect(alternate.hide.customOfficeAddin.officeAddinId).toBe("6f1d3c52-8b0e-4f7a-9c41-2a5e7d90b3c8");
    expect(manifest.id).toBe(unifiedAppId("6f1d3c52-8b0e-4f7a-9c41-2a5e7d90b3c8"));
    expect(manifest.id).not.toBe("6f1d3c52-8b0e-4f7a-9c41-2a5e7d90b3c8");
    expect(manifest.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("declares the pane's Entra app for Nested App Authentication consent", () => {
    expect(manifest.webApplicationInfo).toEqual({ id: auth.clientId, resource: "api://c5e2d8a4" });
    const without = unifiedManifestFrom(production, null) as unknown as Unified;
    expect(without.webApplicationInfo).toBeUndefined();
    expect(validateUnifiedManifest(without)).toEqual({ status: "valid" });
  });

  it("fails validation on a wrong field, naming it", () => {
    const wrong = { ...manifest, accentColor: "blue" };
    const check = validateUnifiedManifest(wrong);
    expect(check.status).toBe("invalid");
    expect(check.status === "invalid" && check.output).toMatch(/\/accentColor must match pattern/);
  });

  it("in its dev version points at the dev server like manifest.xml", () => {
    const dev = devUnifiedManifest() as unknown as Unified;
    expect(validateUnifiedManifest(dev)).toEqual({ status: "valid" });
    expect(dev.extensions[0]!.runtimes[0]!.code.page).toBe("https://localhost:3000/taskpane.html?manifest=unified");
    expect(JSON.stringify(dev)).not.toContain("contoso");
  });
});

describe("the app package", () => {
  const manifest = unifiedManifestFrom(devXml, auth);

  it("holds manifest.json, a 192×192 colour icon and a 32×32 transparent outline icon", () => {
    const file = path.join(scratch, "good.zip");
    writeFileSync(file, appPackage(manifest));
    expect(validateUnifiedFile(file)).toEqual({ status: "valid" });
    const entries = unzipSync(readFileSync(file));
    expect(Object.keys(entries).sort()).toEqual(["color.png", "manifest.json", "outline.png"]);
    expect(JSON.parse(strFromU8(entries["manifest.json"]!))).toEqual(manifest);
  });

  it("fails when an icon has the wrong size", () => {
    const entries = unzipSync(appPackage(manifest));
    const file = path.join(scratch, "wrong-icon.zip");
    writeFileSync(file, zipSync({ ...entries, "outline.png": readFileSync(path.join(root, "assets", "icon-64.png")) }));
    const check = validateUnifiedFile(file);
    expect(check.status === "invalid" && check.output).toBe("/icons/outline: outline.png is 64×64, must be 32×32");
  });
});

describe("npm run validate", () => {
  it.skipIf(!reference.available)(
    "exits 1 and names the field for a wrong XML manifest and for a wrong app package",
    () => {
      const badXml = path.join(scratch, "bad.xml");
      writeFileSync(
        badXml,
        devXml.replace("<Permissions>ReadItem</Permissions>", "<Permissions>ReadAll</Permissions>"),
      );
      const xml = validateCli(badXml);
      expect(xml.status).toBe(1);
      expect(xml.stderr).toMatch(/Permissions/);

      const badZip = path.join(scratch, "bad.zip");
      const entries = unzipSync(appPackage(unifiedManifestFrom(devXml, auth)));
      const json = JSON.parse(strFromU8(entries["manifest.json"]!)) as Record<string, unknown>;
      const everyone = { permissions: { resourceSpecific: [{ name: "MailboxItem.Read.User", type: "Everyone" }] } };
      const wrong = Buffer.from(JSON.stringify({ ...json, authorization: everyone }));
      writeFileSync(badZip, zipSync({ ...entries, "manifest.json": wrong }));
      const zip = validateCli(badZip);
      expect(zip.status).toBe(1);
      expect(zip.stderr).toMatch(/\/authorization\/permissions\/resourceSpecific\/0\/type must be equal to one of/);

      const goodZip = path.join(scratch, "good-cli.zip");
      writeFileSync(goodZip, appPackage(unifiedManifestFrom(devXml, auth)));
      const good = validateCli(path.join(root, "manifest.xml"), goodZip);
      expect(good.status, good.stderr).toBe(0);
    },
    60_000,
  );
});
