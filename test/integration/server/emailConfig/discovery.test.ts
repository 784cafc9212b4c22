import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverEwsUrl, parseDiscoveryInput } from "../../../../src/server/emailConfig/discovery.js";
import { scenarioFile, startExchangeLab, type ExchangeLab } from "../../../support/lab.js";

describe("magic wand discovery against an on-premises lab", () => {
  let harness: ExchangeLab;
  beforeAll(async () => {
    harness = await startExchangeLab(scenarioFile("demo"));
  });
  afterAll(async () => {
    await harness.close();
  });
  const options = () => ({
    fetch: harness.fetch,
    microsoft365Base: `https://outlook.office365.com:${harness.lab.port}`,
  });

  it("finds the on-premises EWS URL through Autodiscover POX with the service account's credentials", async () => {
    const result = await discoverEwsUrl("contoso.lab", {
      ...options(),
      credentials: { accountLogon: "svc-sync@contoso.lab", password: "Sync-Lab-2026!" },
    });
    expect(result.ewsUrl).toBe(`https://mail.contoso.lab:${harness.lab.port}/EWS/Exchange.asmx`);
    expect(result.exchangeOnline).toBe(false);
    expect(result.steps.map((step) => [step.name, step.outcome])).toEqual([
      ["Microsoft 365 (Autodiscover v2)", "ok"],
      ["Autodiscover POX at the domain", "skipped"],
      ["Autodiscover POX at autodiscover.<domain>", "skipped"],
      ["Autodiscover v2 at autodiscover.<domain>", "skipped"],
      ["Unauthenticated HTTP redirect", "skipped"],
      ["DNS SRV _autodiscover._tcp", "skipped"],
    ]);
  });

  it("tries POX at the domain after Microsoft 365 does not know the address, and reports each step", async () => {
    const before = harness.lab.stats.acceptedNtlm;
    const result = await discoverEwsUrl("contoso.lab", {
      fetch: harness.fetch,
      openConnection: harness.openConnection,
      // A Microsoft 365 endpoint that refuses the connection, as when the domain is not in Microsoft 365.
      microsoft365Base: "https://unreachable.invalid",
      credentials: { accountLogon: "svc-sync@contoso.lab", password: "Sync-Lab-2026!" },
    });
    // The lab's POX offers Windows authentication only, as Exchange ships: the step signed in with NTLM.
    expect(harness.lab.stats.acceptedNtlm - before).toBe(1);
    expect(result.ewsUrl).toBe(`https://mail.contoso.lab:${harness.lab.port}/EWS/Exchange.asmx`);
    expect(result.steps[0]).toMatchObject({ name: "Microsoft 365 (Autodiscover v2)", outcome: "failed" });
    expect(result.steps[0]!.detail).toContain("network_error");
    expect(result.steps[1]).toMatchObject({
      name: "Autodiscover POX at the domain",
      url: "https://contoso.lab/autodiscover/autodiscover.xml",
      outcome: "ok",
    });
  });

  it("reports basic_disabled for POX when Basic is chosen and the server offers Windows authentication only", async () => {
    const result = await discoverEwsUrl("contoso.lab", {
      fetch: harness.fetch,
      openConnection: harness.openConnection,
      microsoft365Base: "https://unreachable.invalid",
      credentials: { accountLogon: "svc-sync@contoso.lab", password: "Sync-Lab-2026!", authentication: "basic" },
    });
    const pox = result.steps.filter((step) => step.name.startsWith("Autodiscover POX"));
    expect(pox.map((step) => step.detail.split(":")[0])).toEqual(["basic_disabled", "basic_disabled"]);
  });

  it("explains that POX needs credentials when none were entered, and finds nothing", async () => {
    const result = await discoverEwsUrl("contoso.lab", {
      fetch: harness.fetch,
      microsoft365Base: "https://unreachable.invalid",
    });
    expect(result.ewsUrl).toBeNull();
    const pox = result.steps.filter((step) => step.name.startsWith("Autodiscover POX"));
    expect(pox).toHaveLength(2);
    expect(pox.every((step) => step.outcome === "failed" && step.detail.includes("needs credentials"))).toBe(true);
  });
});

describe("magic wand discovery against Microsoft 365", () => {
  let harness: ExchangeLab;
  beforeAll(async () => {
    harness = await startExchangeLab(scenarioFile("online"));
  });
  afterAll(async () => {
    await harness.close();
  });

  it("returns the standard Microsoft 365 URL and flags Exchange Online", async () => {
    const result = await discoverEwsUrl("adam.ok@fabrikam.lab", {
      fetch: harness.fetch,
      microsoft365Base: `https://outlook.office365.com:${harness.lab.port}`,
    });
    expect(result.ewsUrl).toBe(`https://outlook.office365.com:${harness.lab.port}/EWS/Exchange.asmx`);
    expect(result.exchangeOnline).toBe(true);
  });
});

describe("magic wand input", () => {
  it("accepts an address or a domain and refuses anything else", () => {
    expect(parseDiscoveryInput(" Adele@Contoso.com ")).toEqual({
      ok: true,
      email: "adele@contoso.com",
      domain: "contoso.com",
      emailGiven: true,
    });
    expect(parseDiscoveryInput("contoso.com")).toMatchObject({
      ok: true,
      email: "postmaster@contoso.com",
      emailGiven: false,
    });
    expect(parseDiscoveryInput("http://evil/")).toMatchObject({ ok: false });
    expect(parseDiscoveryInput("a@b")).toMatchObject({ ok: false });
  });
});
