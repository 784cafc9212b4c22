import { describe, expect, it } from "vitest";
import {
  checkAddress,
  checkUrlShape,
  classifyAddress,
  guardUrl,
  type OutboundPolicy,
} from "../../../../src/server/net/urlGuard.js";

const strict: OutboundPolicy = { allowPrivateCidrs: [], allowedHosts: [], hostOverrides: {} };
const resolver = (table: Record<string, string[]>) => (host: string) =>
  table[host] ? Promise.resolve(table[host]) : Promise.reject(new Error("ENOTFOUND"));

describe("classifyAddress", () => {
  it.each([
    ["52.96.166.130", "public"],
    ["2603:1026::1", "public"],
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["169.254.1.1", "link_local"],
    ["fe80::1", "link_local"],
    ["fd12:3456::1", "unique_local"],
    ["169.254.169.254", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:a9fe:a9fe", "metadata"],
    ["64:ff9b::10.0.0.1", "private"],
    ["198.18.0.1", "reserved"],
  ])("classifies %s as %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe("checkUrlShape", () => {
  it.each([
    ["http://mail.contoso.com/EWS/Exchange.asmx", "https_only"],
    ["ftp://mail.contoso.com/", "https_only"],
    ["https://svc:pw@mail.contoso.com/EWS/Exchange.asmx", "no_credentials"],
    ["https://svc@mail.contoso.com/", "no_credentials"],
    ["mail.contoso.com/EWS", "invalid_url"],
  ])("refuses %s (%s)", (url, rule) => {
    expect(checkUrlShape(url)).toMatchObject({ ok: false, rule });
  });

  it("accepts an https URL", () => {
    expect(checkUrlShape("https://outlook.office365.com/EWS/Exchange.asmx").ok).toBe(true);
  });
});

describe("checkAddress", () => {
  it("refuses private addresses unless the host or range is allowed", () => {
    expect(checkAddress("10.0.0.5", "mail.corp", strict)).toMatchObject({ ok: false, rule: "blocked_address" });
    expect(checkAddress("10.0.0.5", "mail.corp", { ...strict, allowedHosts: ["mail.corp"] }).ok).toBe(true);
    expect(checkAddress("10.0.0.5", "mail.corp", { ...strict, allowPrivateCidrs: ["10.0.0.0/24"] }).ok).toBe(true);
    expect(checkAddress("10.0.1.5", "mail.corp", { ...strict, allowPrivateCidrs: ["10.0.0.0/24"] }).ok).toBe(false);
    expect(checkAddress("::ffff:10.0.0.5", "mail.corp", { ...strict, allowPrivateCidrs: ["10.0.0.0/24"] }).ok).toBe(
      true,
    );
  });

  it("never allows a metadata address, whatever the deployment allows", () => {
    const lenient: OutboundPolicy = {
      allowPrivateCidrs: ["169.254.0.0/16"],
      allowedHosts: ["meta"],
      hostOverrides: {},
    };
    expect(checkAddress("169.254.169.254", "meta", lenient)).toMatchObject({ ok: false });
  });

  it("trusts the address a lab override names for that host only", () => {
    const lab: OutboundPolicy = {
      ...strict,
      hostOverrides: { "outlook.office365.com": { address: "127.0.0.1", port: 4443 } },
    };
    expect(checkAddress("127.0.0.1", "outlook.office365.com", lab).ok).toBe(true);
    expect(checkAddress("127.0.0.1", "other.example", lab).ok).toBe(false);
  });
});

describe("guardUrl", () => {
  const dns = resolver({
    "mail.contoso.com": ["20.50.60.70"],
    "split.example": ["20.50.60.70", "192.168.0.10"],
    localhost: ["127.0.0.1", "::1"],
  });

  it("accepts a public host and refuses one whose answers include a private address", async () => {
    expect(await guardUrl("https://mail.contoso.com/EWS/Exchange.asmx", strict, dns)).toEqual({ ok: true });
    expect(await guardUrl("https://split.example/EWS/Exchange.asmx", strict, dns)).toMatchObject({
      ok: false,
      rule: "blocked_address",
    });
  });

  it("refuses loopback names and literals, and unresolvable hosts", async () => {
    expect(await guardUrl("https://localhost:4443/EWS/Exchange.asmx", strict, dns)).toMatchObject({ ok: false });
    expect(await guardUrl("https://[::1]/EWS/Exchange.asmx", strict, dns)).toMatchObject({ ok: false });
    expect(await guardUrl("https://127.0.0.1/", strict, dns)).toMatchObject({ ok: false });
    expect(await guardUrl("https://nowhere.invalid/", strict, dns)).toMatchObject({ ok: false, rule: "unresolvable" });
  });

  it("allows the lab on loopback when the deployment says so", async () => {
    const dev: OutboundPolicy = { ...strict, allowPrivateCidrs: ["127.0.0.0/8", "::1/128"] };
    expect(await guardUrl("https://localhost:4443/EWS/Exchange.asmx", dev, dns)).toEqual({ ok: true });
  });
});
