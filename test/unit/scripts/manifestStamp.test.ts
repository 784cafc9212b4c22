import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ManifestStampError, officeVersion, parseBaseUrl, stampManifest } from "../../../scripts/manifestStamp";

const devManifest = readFileSync(fileURLToPath(new URL("../../../manifest.xml", import.meta.url)), "utf8");

describe("stampManifest", () => {
  it("moves every dev-server URL under ADDIN_BASE_URL, keeping the path", () => {
    const built = stampManifest(devManifest, { version: "1.4.2", baseUrl: "https://cdn.contoso.example/sidebar/" });

    expect(built).not.toMatch(/https?:\/\/(localhost|127\.0\.0\.1)/);
    expect(built).toContain('"https://cdn.contoso.example/sidebar/taskpane.html"');
    expect(built).toContain('"https://cdn.contoso.example/sidebar/icon-80.png"');
    const devUrls = devManifest.match(/https:\/\/localhost:3000\//g) ?? [];
    const builtUrls = built.match(/https:\/\/cdn\.contoso\.example\/sidebar\//g) ?? [];
    expect(builtUrls.length).toBe(devUrls.length);
  });

  it("stamps the package version as Office's four-part version", () => {
    const built = stampManifest(devManifest, { version: "2.10.3-beta.1", baseUrl: "https://cdn.contoso.example" });

    expect(built.match(/<Version>[^<]*<\/Version>/g)).toEqual(["<Version>2.10.3.0</Version>"]);
  });

  it("drops the lab's localhost AppDomain and adds the production sign-in domains given", () => {
    const built = stampManifest(devManifest, {
      version: "1.0.0",
      baseUrl: "https://cdn.contoso.example",
      extraAppDomains: ["https://id.contoso.example", " "],
    });

    expect(built.match(/<AppDomain>[^<]*<\/AppDomain>/g)).toEqual([
      "<AppDomain>https://login.microsoftonline.com</AppDomain>",
      "<AppDomain>https://id.contoso.example</AppDomain>",
    ]);
  });

  it("fails when ADDIN_BASE_URL is missing, not https, or still this machine", () => {
    expect(() => stampManifest(devManifest, { version: "1.0.0", baseUrl: undefined })).toThrow(
      /ADDIN_BASE_URL is required/,
    );
    expect(() => stampManifest(devManifest, { version: "1.0.0", baseUrl: "http://cdn.contoso.example" })).toThrow(
      /must use https/,
    );
    expect(() => stampManifest(devManifest, { version: "1.0.0", baseUrl: "https://localhost:8443" })).toThrow(
      /still points at this machine: https:\/\/localhost:8443\//,
    );
  });

  it("fails when a localhost URL outside the dev origin would survive", () => {
    const withStray = devManifest.replace("</OfficeApp>", "<!-- see http://127.0.0.1:9999/help --></OfficeApp>");

    expect(() => stampManifest(withStray, { version: "1.0.0", baseUrl: "https://cdn.contoso.example" })).toThrow(
      ManifestStampError,
    );
  });
});

describe("officeVersion and parseBaseUrl", () => {
  it("accepts semver and rejects other versions", () => {
    expect(officeVersion("0.1.0")).toBe("0.1.0.0");
    expect(() => officeVersion("1.2")).toThrow(/not X.Y.Z/);
  });

  it("normalises a trailing slash and refuses queries", () => {
    expect(parseBaseUrl("https://cdn.contoso.example/")).toBe("https://cdn.contoso.example");
    expect(() => parseBaseUrl("https://cdn.contoso.example/?v=1")).toThrow(/query or fragment/);
    expect(() => parseBaseUrl("not a url")).toThrow(/is not a URL/);
  });
});
