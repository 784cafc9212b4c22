/**
 * Issue 27, items 1 and 2: a hostile Autodiscover server. Its redirects (redirectUrl, redirectAddr, an HTTP 3xx)
 * and its v2 JSON answer point at other hosts: none of them receives a request, so none receives an Authorization
 * header (Basic, or an NTLM handshake); each is shown as a "found" step to take or leave. Hostile XML fails one step
 * with a reason and the other steps go on.
 */
import { describe, expect, it } from "vitest";
import type { PinnedConnection } from "../../../../src/server/net/outbound.js";
import type { ExchangeFetch, OutboundRequestInit } from "../../../../src/server/exchange/transport.js";
import { discoverEwsUrl } from "../../../../src/server/emailConfig/discovery.js";

interface Seen {
  url: string;
  authorization: string | undefined;
}

type Answer = { status: number; body?: string; headers?: Record<string, string> };

/** A fake Internet: each URL's answer by a handler; every request recorded with its Authorization header. */
function hostileInternet(routes: Record<string, (init: OutboundRequestInit) => Answer>) {
  const seen: Seen[] = [];
  const fetch: ExchangeFetch = (url, init) => {
    seen.push({ url, authorization: init.headers?.Authorization });
    const route = routes[url.split("?")[0]!];
    if (route === undefined) return Promise.reject(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }));
    const answer = route(init);
    const headers = new Headers(answer.headers ?? {});
    return Promise.resolve({ status: answer.status, headers, body: new Blob([answer.body ?? ""]).stream() });
  };
  return { fetch, seen };
}

const basicChallenge: Answer = { status: 401, headers: { "www-authenticate": 'Basic realm="x"' } };
const redirectUrl = (url: string) =>
  `<Autodiscover><Response><Account><Action>redirectUrl</Action><RedirectUrl>${url}</RedirectUrl></Account></Response></Autodiscover>`;
const redirectAddr = (address: string) =>
  `<Autodiscover><Response><Account><Action>redirectAddr</Action><RedirectAddr>${address}</RedirectAddr></Account></Response></Autodiscover>`;
const ewsAnswer = (url: string) =>
  `<Autodiscover><Response><Account><Protocol><Type>EXCH</Type><EwsUrl>${url}</EwsUrl></Protocol></Account></Response></Autodiscover>`;

/** Asks for credentials, then answers `body` to a request that carries them. */
const signedIn =
  (body: string) =>
  (init: OutboundRequestInit): Answer =>
    init.headers?.Authorization === undefined ? basicChallenge : { status: 200, body };

const credentials = { accountLogon: "svc@contoso.example", password: "Secret-2026!", authentication: "basic" as const };
const base = { microsoft365Base: "https://m365.invalid", credentials };
const contoso = (url: string) => new URL(url).hostname.endsWith("contoso.example");

describe("a hostile Autodiscover server", () => {
  it("redirects POX to another host, which receives no request and no Authorization header", async () => {
    const internet = hostileInternet({
      "https://contoso.example/autodiscover/autodiscover.xml": signedIn(
        redirectUrl("https://other.host/autodiscover/autodiscover.xml"),
      ),
      "https://autodiscover.contoso.example/autodiscover/autodiscover.xml": () => ({
        status: 302,
        headers: { location: "https://evil.example/autodiscover/autodiscover.xml" },
      }),
      "https://other.host/autodiscover/autodiscover.xml": signedIn(ewsAnswer("https://other.host/EWS/Exchange.asmx")),
      "https://evil.example/autodiscover/autodiscover.xml": signedIn(
        ewsAnswer("https://evil.example/EWS/Exchange.asmx"),
      ),
    });
    const result = await discoverEwsUrl("contoso.example", { ...base, fetch: internet.fetch });
    expect(internet.seen.filter((request) => !contoso(request.url) && !request.url.includes("m365.invalid"))).toEqual(
      [],
    );
    expect(internet.seen.some((request) => request.authorization?.startsWith("Basic") && contoso(request.url))).toBe(
      true,
    );
    expect(result.ewsUrl).toBeNull();
    const found = result.steps.filter((step) => step.outcome === "found");
    expect(found.map((step) => step.suggestion)).toEqual([
      { kind: "autodiscoverUrl", value: "https://other.host/autodiscover/autodiscover.xml" },
      { kind: "autodiscoverUrl", value: "https://evil.example/autodiscover/autodiscover.xml" },
    ]);
    expect(found[0]!.detail).toContain(
      "Autodiscover points at https://other.host/autodiscover/autodiscover.xml: use it?",
    );
  });

  it("starts no NTLM handshake with a redirected host either", async () => {
    const opened: string[] = [];
    const internet = hostileInternet({
      // Answers even the NEGOTIATE with the redirect, as a server that wants the handshake elsewhere would.
      "https://contoso.example/autodiscover/autodiscover.xml": () => ({
        status: 200,
        body: redirectUrl("https://other.host/autodiscover/autodiscover.xml"),
      }),
    });
    const openConnection = (url: string): PinnedConnection<ExchangeFetch> => {
      opened.push(new URL(url).hostname);
      return { fetch: internet.fetch, generation: () => 1, close: () => Promise.resolve() };
    };
    await discoverEwsUrl("contoso.example", {
      ...base,
      credentials: { ...credentials, authentication: "ntlm" },
      fetch: internet.fetch,
      openConnection,
    });
    expect(opened).not.toContain("other.host");
    expect(internet.seen.map((request) => new URL(request.url).hostname)).not.toContain("other.host");
  });

  it("follows a redirect to the domain's own Autodiscover host, with the credentials", async () => {
    const internet = hostileInternet({
      "https://contoso.example/autodiscover/autodiscover.xml": signedIn(
        redirectUrl("https://autodiscover.contoso.example/autodiscover/autodiscover.xml"),
      ),
      "https://autodiscover.contoso.example/autodiscover/autodiscover.xml": signedIn(
        ewsAnswer("https://mail.contoso.example/EWS/Exchange.asmx"),
      ),
    });
    const result = await discoverEwsUrl("contoso.example", { ...base, fetch: internet.fetch });
    expect(result.ewsUrl).toBe("https://mail.contoso.example/EWS/Exchange.asmx");
  });

  it("offers a redirectAddr to another domain and sends nothing for it; follows one within the domain", async () => {
    const bodies: string[] = [];
    const internet = hostileInternet({
      "https://contoso.example/autodiscover/autodiscover.xml": (init) => {
        if (init.headers?.Authorization === undefined) return basicChallenge;
        bodies.push(init.body ?? "");
        return {
          status: 200,
          body: (init.body ?? "").includes("room@contoso.example")
            ? ewsAnswer("https://mail.contoso.example/EWS/Exchange.asmx")
            : redirectAddr("room@contoso.example"),
        };
      },
      "https://autodiscover.contoso.example/autodiscover/autodiscover.xml": signedIn(
        redirectAddr("victim@fabrikam.example"),
      ),
    });
    const within = await discoverEwsUrl("contoso.example", { ...base, fetch: internet.fetch });
    expect(within.ewsUrl).toBe("https://mail.contoso.example/EWS/Exchange.asmx");
    expect(bodies.at(-1)).toContain("room@contoso.example");

    const elsewhere = await discoverEwsUrl("contoso.example", {
      ...base,
      fetch: hostileInternet({
        "https://contoso.example/autodiscover/autodiscover.xml": signedIn(redirectAddr("victim@fabrikam.example")),
      }).fetch,
    });
    expect(elsewhere.ewsUrl).toBeNull();
    expect(elsewhere.steps.find((step) => step.outcome === "found")?.suggestion).toEqual({
      kind: "address",
      value: "victim@fabrikam.example",
    });
  });

  it("offers, and does not fill in, an EWS URL outside the domain from the v2 JSON answer", async () => {
    const internet = hostileInternet({
      "https://autodiscover.contoso.example/autodiscover/autodiscover.json": () => ({
        status: 200,
        body: JSON.stringify({ Protocol: "EWS", Url: "https://collector.example/EWS/Exchange.asmx" }),
      }),
    });
    const result = await discoverEwsUrl("contoso.example", { ...base, fetch: internet.fetch });
    expect(result.ewsUrl).toBeNull();
    const v2 = result.steps.find((step) => step.name === "Autodiscover v2 at autodiscover.<domain>");
    expect(v2).toMatchObject({
      outcome: "found",
      suggestion: { kind: "ewsUrl", value: "https://collector.example/EWS/Exchange.asmx" },
    });
  });

  it("tries an Autodiscover URL the admin chose, with the credentials", async () => {
    const internet = hostileInternet({
      "https://other.host/autodiscover/autodiscover.xml": signedIn(
        ewsAnswer("https://mail.contoso.example/EWS/Exchange.asmx"),
      ),
    });
    const result = await discoverEwsUrl("contoso.example", {
      ...base,
      fetch: internet.fetch,
      autodiscoverUrl: "https://other.host/autodiscover/autodiscover.xml",
    });
    expect(result.ewsUrl).toBe("https://mail.contoso.example/EWS/Exchange.asmx");
    expect(result.steps[0]).toMatchObject({ name: "Autodiscover POX at the URL you chose", outcome: "ok" });
  });

  it("fails the step of a DTD or a 200,000-deep answer with a reason, and goes on to the next", async () => {
    const xxe =
      `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
      `<Autodiscover><Response>&x;</Response></Autodiscover>`;
    const deep = `<Autodiscover><Response>${"<a>".repeat(200_000)}${"</a>".repeat(200_000)}</Response></Autodiscover>`;
    const internet = hostileInternet({
      "https://contoso.example/autodiscover/autodiscover.xml": signedIn(xxe),
      "https://autodiscover.contoso.example/autodiscover/autodiscover.xml": signedIn(deep),
      "https://autodiscover.contoso.example/autodiscover/autodiscover.json": () => ({
        status: 200,
        body: JSON.stringify({ Protocol: "EWS", Url: "https://mail.contoso.example/EWS/Exchange.asmx" }),
      }),
    });
    const result = await discoverEwsUrl("contoso.example", { ...base, fetch: internet.fetch });
    const [, domainStep, autodiscoverStep, v2Step] = result.steps;
    expect(domainStep).toMatchObject({ outcome: "failed", detail: expect.stringContaining("DTD") as string });
    expect(autodiscoverStep).toMatchObject({ outcome: "failed", detail: expect.stringContaining("nested") as string });
    expect(v2Step).toMatchObject({ outcome: "ok" });
    expect(result.ewsUrl).toBe("https://mail.contoso.example/EWS/Exchange.asmx");
  });
});
