import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { XMLParser } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { validateManifestSchema } from "../../../scripts/manifestSchema";
import { referenceAvailability } from "../../support/sharedReference";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const manifestXml = readFileSync(path.join(root, "manifest.xml"), "utf8");
const reference = referenceAvailability();
const scratch = mkdtempSync(path.join(os.tmpdir(), "manifest-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Node = Record<string, unknown>;
const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", removeNSPrefix: true }).parse(
  manifestXml,
) as { OfficeApp: Node };
const app = parsed.OfficeApp;

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Extension points of a VersionOverrides block, keyed by surface type. */
function extensionPoints(overrides: Node): Map<string, Node> {
  const host = (overrides.Hosts as Node).Host as Node;
  const points = list((host.DesktopFormFactor as Node).ExtensionPoint as Node | Node[]);
  return new Map(points.map((point) => [point["@type"] as string, point]));
}

function buttonOf(point: Node): Node {
  return ((point.OfficeTab as Node).Group as Node).Control as Node;
}

function resourceUrl(overrides: Node, kind: "Urls" | "Images", id: string): string {
  const resources = overrides.Resources as Node;
  const entries = list(((resources[kind] as Node)[kind === "Urls" ? "Url" : "Image"] as Node | Node[]) ?? []);
  return entries.find((entry) => entry["@id"] === id)?.["@DefaultValue"] as string;
}

function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(file);
  expect(data.subarray(0, 8).toString("hex"), `${file} is not a PNG`).toBe("89504e470d0a1a0a");
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

function assetFor(url: string): string {
  return path.join(root, "assets", new URL(url).pathname.replace(/^\//, ""));
}

const outer = app.VersionOverrides as Node;
const inner = outer.VersionOverrides as Node;

describe("manifest.xml", () => {
  it.skipIf(!reference.available)("validates against the Office add-in manifest XSD", () => {
    expect(validateManifestSchema(path.join(root, "manifest.xml"))).toEqual({ status: "valid" });
  });

  it.skipIf(!reference.available)("is checked by a validator that rejects what Outlook rejects", () => {
    // SupportsPinning belongs to VersionOverrides 1.1 only; Outlook refuses it in the 1.0 block.
    const broken = manifestXml.replace(
      /(<VersionOverrides xmlns="http:\/\/schemas.microsoft.com\/office\/mailappversionoverrides"[\s\S]*?<SourceLocation resid="taskpaneUrl"\s*\/>)/,
      "$1<SupportsPinning>true</SupportsPinning>",
    );
    expect(broken).not.toBe(manifestXml);
    const file = path.join(scratch, "broken.xml");
    writeFileSync(file, broken);

    const result = validateManifestSchema(file);

    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" && result.output).toMatch(/SupportsPinning/);
  });

  it("is an Outlook mail add-in asking only for ReadItem", () => {
    expect(app["@type"]).toBe("MailApp");
    expect(list((app.Hosts as Node).Host as Node | Node[]).map((h) => h["@Name"])).toEqual(["Mailbox"]);
    expect(app.Permissions).toBe("ReadItem");
  });

  it("puts an Open Sync Sidebar button on the message read and compose surfaces, pinnable for Mailbox 1.5", () => {
    for (const [overrides, minVersion] of [
      [outer, "1.3"],
      [inner, "1.5"],
    ] as const) {
      const sets = (overrides.Requirements as Node).Sets as Node;
      expect(sets["@DefaultMinVersion"]).toBe(minVersion);
      const points = extensionPoints(overrides);
      expect([...points.keys()].sort()).toEqual(["MessageComposeCommandSurface", "MessageReadCommandSurface"]);
      for (const point of points.values()) {
        const action = buttonOf(point).Action as Node;
        expect(action["@type"]).toBe("ShowTaskpane");
        const resid = (action.SourceLocation as Node)["@resid"] as string;
        expect(resourceUrl(overrides, "Urls", resid)).toBe("https://localhost:3000/taskpane.html");
        expect(action.SupportsPinning).toBe(overrides === inner ? true : undefined);
      }
    }
  });

  it("names icons that exist in assets/ as PNGs of the sizes Outlook asks for", () => {
    const pinned = buttonOf(extensionPoints(inner).get("MessageReadCommandSurface")!);
    const images = list((pinned.Icon as Node).Image as Node | Node[]);
    expect(images.map((image) => image["@size"])).toEqual(["16", "32", "80"]);
    for (const image of images) {
      const size = Number(image["@size"]);
      const url = resourceUrl(inner, "Images", image["@resid"] as string);
      expect(pngSize(assetFor(url))).toEqual({ width: size, height: size });
    }
    expect(pngSize(assetFor((app.IconUrl as Node)["@DefaultValue"] as string))).toEqual({ width: 64, height: 64 });
    expect(pngSize(assetFor((app.HighResolutionIconUrl as Node)["@DefaultValue"] as string))).toEqual({
      width: 128,
      height: 128,
    });
  });

  it("allows the Microsoft and lab sign-in pages as AppDomains", () => {
    expect(list((app.AppDomains as Node).AppDomain as string | string[])).toEqual([
      "https://login.microsoftonline.com",
      "https://localhost:4443",
    ]);
  });
});
