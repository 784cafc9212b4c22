/**
 * The magic wand: finds the EWS URL for an address or domain and reports every step tried, in order:
 * Microsoft 365 (Autodiscover v2 at outlook.office365.com), Autodiscover POX at https://<domain> then
 * https://autodiscover.<domain>, Autodiscover v2 JSON at autodiscover.<domain>; the unauthenticated HTTP redirect
 * and DNS SRV are listed as skipped with the reason. Never throws for what a server answers.
 *
 * Credentials go only to hosts the admin named: the domain's own Autodiscover hosts, or an Autodiscover URL the
 * admin chose. A redirect (redirectUrl, redirectAddr, an HTTP 3xx) elsewhere, or an EWS URL outside the domain, is
 * shown as a "found" step with a suggestion the admin may take, and nothing is sent there: no Basic header, and no
 * NTLM handshake either (its AUTHENTICATE message would hand that host the logon and a response to its own
 * challenge, crackable offline or relayable).
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { EXCHANGE_ONLINE_EWS_URL, type EwsAuthentication } from "../../contract/accessTypes.js";
import { createServiceAccountSignIn, type ServiceAccountSignIn } from "../exchange/auth/serviceAccountSignIn.js";
import type { ConnectionOpener, ExchangeFetch } from "../exchange/transport.js";
import { escapeXml } from "../exchange/ews/xml.js";
import { emailAddressProblem } from "../../contract/emailAddress.js";
import { isExchangeOnlineUrl } from "../../contract/exchangeOnline.js";
import { isDomainName } from "../../contract/identifiers.js";
import { sendHttp } from "../exchange/transport.js";

/** What a "found" step points at, for the admin to take: an Autodiscover URL, another address or an EWS URL. */
export interface DiscoverySuggestion {
  kind: "autodiscoverUrl" | "address" | "ewsUrl";
  value: string;
}

export interface DiscoveryStep {
  name: string;
  url: string | null;
  outcome: "ok" | "failed" | "skipped" | "found";
  detail: string;
  suggestion?: DiscoverySuggestion;
}

export interface DiscoveryResult {
  ewsUrl: string | null;
  /** True when the URL found is Exchange Online: only Microsoft 365 OAuth (Graph) – App-only fits. */
  exchangeOnline: boolean;
  steps: DiscoveryStep[];
}

export interface DiscoveryOptions {
  fetch: ExchangeFetch;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Autodiscover POX needs credentials on-premises: the draft configuration's account logon and password. */
  credentials?: { accountLogon: string; password: string; authentication?: EwsAuthentication };
  /** Dedicated connections for Windows authentication (NTLM) of the POX steps. */
  openConnection?: ConnectionOpener;
  /** Where Microsoft 365's Autodiscover v2 lives; defaults to https://outlook.office365.com. */
  microsoft365Base?: string;
  /** An Autodiscover POX URL the admin chose (a redirect a "found" step offered): tried first, with credentials. */
  autodiscoverUrl?: string;
}

export type DiscoveryInput =
  { ok: true; email: string; domain: string; emailGiven: boolean } | { ok: false; message: string };

/** Accepts "user@contoso.com" or "contoso.com"; a domain alone is probed as postmaster@domain. */
export function parseDiscoveryInput(raw: string): DiscoveryInput {
  const value = raw.trim().toLowerCase();
  const problem = value.includes("@") ? emailAddressProblem(value) : null;
  if (problem !== null) return { ok: false, message: `must be an email address or a DNS domain: it ${problem}` };
  const emailGiven = value.includes("@");
  const domain = emailGiven ? value.slice(value.lastIndexOf("@") + 1) : value;
  if (!isDomainName(domain))
    return { ok: false, message: "must be an email address or a DNS domain such as contoso.com" };
  return emailGiven
    ? { ok: true, email: value, domain, emailGiven: true }
    : { ok: true, email: `postmaster@${domain}`, domain, emailGiven: false };
}

const POX_RESPONSE_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
const poxParser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
});

function poxRequest(email: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request>` +
    `<EMailAddress>${escapeXml(email)}</EMailAddress><AcceptableResponseSchema>${POX_RESPONSE_SCHEMA}</AcceptableResponseSchema>` +
    `</Request></Autodiscover>`
  );
}

function httpsUrl(value: unknown): string | null {
  if (typeof value !== "string" || !URL.canParse(value)) return null;
  return new URL(value).protocol === "https:" ? value : null;
}

function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** https://<domain>/autodiscover/… or https://autodiscover.<domain>/…: where the domain's own Autodiscover lives. */
export function isDomainAutodiscoverUrl(url: string, domain: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" || parsed.username !== "" || parsed.password !== "") return false;
  const host = parsed.hostname.toLowerCase();
  if (host === `autodiscover.${domain}`) return true;
  return host === domain && parsed.pathname.toLowerCase().startsWith("/autodiscover/");
}

/** An EWS URL on the domain or one of its subdomains (mail.contoso.com for contoso.com), or Exchange Online. */
export function isEwsUrlOfDomain(url: string, domain: string): boolean {
  if (isExchangeOnlineUrl(url)) return true;
  const host = new URL(url).hostname.toLowerCase();
  return host === domain || host.endsWith(`.${domain}`);
}

type PoxVerdict =
  | { ok: true; ewsUrl: string }
  | { ok: false; detail: string }
  | { ok: "redirect"; url: string }
  | { ok: "redirectAddr"; address: string };

/** Reads an Outlook POX response: EXPR (external) EwsUrl first, then EXCH; an Error; a redirectUrl or redirectAddr. */
export function readPoxResponse(xml: string): PoxVerdict {
  // Autodiscover never sends a DTD: one is refused before parsing, so no entity is ever declared or resolved.
  if (/<!DOCTYPE/i.test(xml)) return { ok: false, detail: "the answer carries a DTD, which Autodiscover never sends" };
  let document: Record<string, unknown>;
  try {
    if (XMLValidator.validate(xml) !== true) return { ok: false, detail: "the answer is not XML" };
    document = poxParser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    // The parser bounds nesting and refuses what it cannot read by throwing: this step fails, the others go on.
    return { ok: false, detail: `unreadable XML: ${error instanceof Error ? error.message : String(error)}` };
  }
  const response = (document.Autodiscover as { Response?: Record<string, unknown> } | undefined)?.Response;
  if (response === undefined) return { ok: false, detail: "the answer is not an Autodiscover response" };
  const error = response.Error as { Message?: unknown; ErrorCode?: unknown } | undefined;
  if (error !== undefined) {
    return {
      ok: false,
      detail: `Autodiscover error ${textOf(error.ErrorCode)}: ${textOf(error.Message)}`.trim(),
    };
  }
  const account = response.Account as
    { Action?: unknown; RedirectUrl?: unknown; RedirectAddr?: unknown; Protocol?: unknown } | undefined;
  if (account?.Action === "redirectUrl") {
    const url = httpsUrl(account.RedirectUrl);
    return url === null ? { ok: false, detail: "redirected to a non-https URL" } : { ok: "redirect", url };
  }
  if (account?.Action === "redirectAddr") {
    const address = textOf(account.RedirectAddr).trim().toLowerCase();
    return emailAddressProblem(address) === null
      ? { ok: "redirectAddr", address }
      : { ok: false, detail: "redirected to something that is not an email address" };
  }
  const protocols = [account?.Protocol].flat() as Array<{ Type?: unknown; EwsUrl?: unknown } | undefined>;
  for (const type of ["EXPR", "EXCH"]) {
    const url = httpsUrl(protocols.find((protocol) => protocol?.Type === type)?.EwsUrl);
    if (url !== null) return { ok: true, ewsUrl: url };
  }
  return { ok: false, detail: "the response names no https EwsUrl" };
}

function readV2Response(status: number, body: string): { ok: true; ewsUrl: string } | { ok: false; detail: string } {
  try {
    const json = JSON.parse(body) as { Url?: unknown; ErrorCode?: unknown; ErrorMessage?: unknown };
    const url = httpsUrl(json.Url);
    if (status === 200 && url !== null) return { ok: true, ewsUrl: url };
    if (typeof json.ErrorCode === "string") {
      return {
        ok: false,
        detail:
          `HTTP ${status} ${json.ErrorCode}: ${typeof json.ErrorMessage === "string" ? json.ErrorMessage : ""}`.trim(),
      };
    }
  } catch {
    // fall through
  }
  return { ok: false, detail: `HTTP ${status}: no EWS URL in the answer` };
}

export async function discoverEwsUrl(input: string, options: DiscoveryOptions): Promise<DiscoveryResult> {
  const parsed = parseDiscoveryInput(input);
  if (!parsed.ok) throw new Error(`discovery input ${parsed.message}`);
  const { domain } = parsed;
  // A domain alone is probed with the service account's own address when it belongs to that domain.
  const logon = options.credentials?.accountLogon.trim().toLowerCase();
  const email = !parsed.emailGiven && logon?.endsWith(`@${domain}`) === true ? logon : parsed.email;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signal = options.signal ?? new AbortController().signal;
  const steps: DiscoveryStep[] = [];
  const encodedEmail = encodeURIComponent(email);
  const m365 = (options.microsoft365Base ?? "https://outlook.office365.com").replace(/\/+$/, "");
  // POX signs in as the checks do: Windows authentication (NTLM) or Basic, as chosen and offered.
  const signIn: ServiceAccountSignIn | null =
    options.credentials === undefined
      ? null
      : createServiceAccountSignIn({
          authentication: options.credentials.authentication ?? "automatic",
          accountLogon: options.credentials.accountLogon,
          password: options.credentials.password,
          fetch: options.fetch,
          ...(options.openConnection === undefined ? {} : { openConnection: options.openConnection }),
        });

  const found = (ewsUrl: string): DiscoveryResult => ({ ewsUrl, exchangeOnline: isExchangeOnlineUrl(ewsUrl), steps });

  /** A step whose answer points outside the domain: shown for the admin to take, nothing sent there. */
  function pointsAt(name: string, url: string, suggestion: DiscoverySuggestion, why: string): null {
    steps.push({
      name,
      url,
      outcome: "found",
      detail: `Autodiscover points at ${suggestion.value}: use it? ${why}`,
      suggestion,
    });
    return null;
  }
  const notSent = `Nothing was sent there: it is not one of ${domain}'s Autodiscover hosts.`;
  const notFilled = `It is outside ${domain}, so it was not filled in: the checks would send the service account's credentials there.`;

  /** An EWS URL an Autodiscover answer named: taken when it belongs to the domain, else offered. */
  function foundEwsUrl(name: string, url: string, ewsUrl: string): string | null {
    if (!isEwsUrlOfDomain(ewsUrl, domain)) return pointsAt(name, url, { kind: "ewsUrl", value: ewsUrl }, notFilled);
    steps.push({ name, url, outcome: "ok", detail: `EWS URL ${ewsUrl}` });
    return ewsUrl;
  }

  async function v2(name: string, base: string, ofDomain: boolean): Promise<string | null> {
    const url = `${base}/autodiscover/autodiscover.json?Email=${encodedEmail}&Protocol=EWS`;
    const result = await sendHttp(
      options.fetch,
      url,
      { method: "GET", headers: { Accept: "application/json" } },
      { timeoutMs, signal },
    );
    if (!result.ok) {
      steps.push({
        name,
        url,
        outcome: "failed",
        detail: `${result.failure.category}: ${result.failure.detail ?? ""}`.trim(),
      });
      return null;
    }
    const verdict = readV2Response(result.answer.status, result.answer.body);
    if (!verdict.ok) {
      steps.push({ name, url, outcome: "failed", detail: verdict.detail });
      return null;
    }
    if (ofDomain) return foundEwsUrl(name, url, verdict.ewsUrl);
    steps.push({ name, url, outcome: "ok", detail: `EWS URL ${verdict.ewsUrl}` });
    return verdict.ewsUrl;
  }

  async function pox(name: string, url: string, redirectsLeft = 1, address = email): Promise<string | null> {
    const init = {
      method: "POST" as const,
      headers: { "Content-Type": "text/xml; charset=utf-8" },
      body: poxRequest(address),
    };
    const result =
      signIn === null
        ? await sendHttp(options.fetch, url, init, { timeoutMs, signal })
        : await signIn.send(url, init, { timeoutMs, signal });
    if (!result.ok) {
      steps.push({
        name,
        url,
        outcome: "failed",
        detail: `${result.failure.category}: ${result.failure.detail ?? ""}`.trim(),
      });
      return null;
    }
    const { status, body } = result.answer;
    if (status === 401) {
      const detail =
        signIn === null
          ? "HTTP 401: the endpoint exists but needs credentials; enter the Account Logon and Password, then try again"
          : "HTTP 401: the Account Logon and Password were refused";
      steps.push({ name, url, outcome: "failed", detail });
      return null;
    }
    const location = [301, 302, 303, 307, 308].includes(status) ? result.answer.headers.get("location") : null;
    const verdict: PoxVerdict =
      location !== null
        ? URL.canParse(location, url)
          ? { ok: "redirect", url: new URL(location, url).href }
          : { ok: false, detail: `HTTP ${status} to an unreadable location` }
        : status === 200
          ? readPoxResponse(body)
          : { ok: false, detail: `HTTP ${status}` };
    if (verdict.ok === "redirect") {
      // Followed only to the domain's own Autodiscover hosts: anywhere else would receive the credentials.
      if (!isDomainAutodiscoverUrl(verdict.url, domain)) {
        return pointsAt(name, url, { kind: "autodiscoverUrl", value: verdict.url }, notSent);
      }
      steps.push({ name, url, outcome: "failed", detail: `redirected to ${verdict.url}` });
      return redirectsLeft > 0 ? pox(`${name} (redirect)`, verdict.url, redirectsLeft - 1, address) : null;
    }
    if (verdict.ok === "redirectAddr") {
      const redirectDomain = verdict.address.slice(verdict.address.lastIndexOf("@") + 1);
      if (redirectDomain !== domain) {
        const why = `Nothing was sent for it: its domain is not ${domain}; the wand can be run again with that address.`;
        return pointsAt(name, url, { kind: "address", value: verdict.address }, why);
      }
      steps.push({ name, url, outcome: "failed", detail: `redirected to the address ${verdict.address}` });
      return redirectsLeft > 0 ? pox(`${name} (redirect)`, url, redirectsLeft - 1, verdict.address) : null;
    }
    if (!verdict.ok) {
      steps.push({ name, url, outcome: "failed", detail: verdict.detail });
      return null;
    }
    return foundEwsUrl(name, url, verdict.ewsUrl);
  }

  const chosen = options.autodiscoverUrl === undefined ? null : httpsUrl(options.autodiscoverUrl);
  const plan: Array<{ name: string; url: string; run: () => Promise<string | null> }> = [
    ...(chosen === null
      ? []
      : [
          {
            name: "Autodiscover POX at the URL you chose",
            url: chosen,
            run: () => pox("Autodiscover POX at the URL you chose", chosen),
          },
        ]),
    {
      name: "Microsoft 365 (Autodiscover v2)",
      url: m365,
      run: () => v2("Microsoft 365 (Autodiscover v2)", m365, false),
    },
    {
      name: "Autodiscover POX at the domain",
      url: `https://${domain}/autodiscover/autodiscover.xml`,
      run: () => pox("Autodiscover POX at the domain", `https://${domain}/autodiscover/autodiscover.xml`),
    },
    {
      name: "Autodiscover POX at autodiscover.<domain>",
      url: `https://autodiscover.${domain}/autodiscover/autodiscover.xml`,
      run: () =>
        pox(
          "Autodiscover POX at autodiscover.<domain>",
          `https://autodiscover.${domain}/autodiscover/autodiscover.xml`,
        ),
    },
    {
      name: "Autodiscover v2 at autodiscover.<domain>",
      url: `https://autodiscover.${domain}`,
      run: () => v2("Autodiscover v2 at autodiscover.<domain>", `https://autodiscover.${domain}`, true),
    },
  ];
  let ewsUrl: string | null = null;
  try {
    for (const step of plan) {
      if (ewsUrl !== null) {
        steps.push({ name: step.name, url: step.url, outcome: "skipped", detail: "an earlier step found the EWS URL" });
        continue;
      }
      ewsUrl = await step.run();
    }
  } finally {
    await signIn?.close();
  }
  steps.push({
    name: "Unauthenticated HTTP redirect",
    url: `http://autodiscover.${domain}/autodiscover/autodiscover.xml`,
    outcome: "skipped",
    detail: "plain HTTP is never used: the product calls https only",
  });
  steps.push({
    name: "DNS SRV _autodiscover._tcp",
    url: null,
    outcome: "skipped",
    detail: `not implemented: the SRV record of _autodiscover._tcp.${domain} names a host whose https Autodiscover must then be tried by hand`,
  });
  if (ewsUrl !== null) return found(ewsUrl);
  return { ewsUrl: null, exchangeOnline: false, steps };
}

export { EXCHANGE_ONLINE_EWS_URL };
