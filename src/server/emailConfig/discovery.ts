/**
 * The magic wand: finds the EWS URL for an address or domain and reports every step tried, in order:
 * Microsoft 365 (Autodiscover v2 at outlook.office365.com), Autodiscover POX at https://<domain> then
 * https://autodiscover.<domain>, Autodiscover v2 JSON at autodiscover.<domain>; the unauthenticated HTTP redirect
 * and DNS SRV are listed as skipped with the reason. Never throws for what a server answers.
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

export interface DiscoveryStep {
  name: string;
  url: string | null;
  outcome: "ok" | "failed" | "skipped";
  detail: string;
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

type PoxVerdict = { ok: true; ewsUrl: string } | { ok: false; detail: string } | { ok: "redirect"; url: string };

/** Reads an Outlook POX response: EXPR (external) EwsUrl first, then EXCH; an Error; or a redirectUrl action. */
export function readPoxResponse(xml: string): PoxVerdict {
  if (XMLValidator.validate(xml) !== true) return { ok: false, detail: "the answer is not XML" };
  const document = poxParser.parse(xml) as Record<string, unknown>;
  const response = (document.Autodiscover as { Response?: Record<string, unknown> } | undefined)?.Response;
  if (response === undefined) return { ok: false, detail: "the answer is not an Autodiscover response" };
  const error = response.Error as { Message?: unknown; ErrorCode?: unknown } | undefined;
  if (error !== undefined) {
    return {
      ok: false,
      detail: `Autodiscover error ${textOf(error.ErrorCode)}: ${textOf(error.Message)}`.trim(),
    };
  }
  const account = response.Account as { Action?: unknown; RedirectUrl?: unknown; Protocol?: unknown } | undefined;
  if (account?.Action === "redirectUrl") {
    const url = httpsUrl(account.RedirectUrl);
    return url === null ? { ok: false, detail: "redirected to a non-https URL" } : { ok: "redirect", url };
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

  async function v2(name: string, base: string): Promise<string | null> {
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
    steps.push(
      verdict.ok
        ? { name, url, outcome: "ok", detail: `EWS URL ${verdict.ewsUrl}` }
        : { name, url, outcome: "failed", detail: verdict.detail },
    );
    return verdict.ok ? verdict.ewsUrl : null;
  }

  async function pox(name: string, url: string, redirectsLeft = 1): Promise<string | null> {
    const init = {
      method: "POST" as const,
      headers: { "Content-Type": "text/xml; charset=utf-8" },
      body: poxRequest(email),
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
    if (status !== 200) {
      steps.push({ name, url, outcome: "failed", detail: `HTTP ${status}` });
      return null;
    }
    const verdict = readPoxResponse(body);
    if (verdict.ok === "redirect") {
      steps.push({ name, url, outcome: "failed", detail: `redirected to ${verdict.url}` });
      return redirectsLeft > 0 ? pox(`${name} (redirect)`, verdict.url, redirectsLeft - 1) : null;
    }
    steps.push(
      verdict.ok
        ? { name, url, outcome: "ok", detail: `EWS URL ${verdict.ewsUrl}` }
        : { name, url, outcome: "failed", detail: verdict.detail },
    );
    return verdict.ok ? verdict.ewsUrl : null;
  }

  const plan: Array<{ name: string; url: string; run: () => Promise<string | null> }> = [
    { name: "Microsoft 365 (Autodiscover v2)", url: m365, run: () => v2("Microsoft 365 (Autodiscover v2)", m365) },
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
      run: () => v2("Autodiscover v2 at autodiscover.<domain>", `https://autodiscover.${domain}`),
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
