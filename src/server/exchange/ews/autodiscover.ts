/**
 * Where an on-premises server sends a mailbox it does not hold. In a hybrid organization a mailbox moved to
 * Exchange Online leaves a remote mailbox behind on-premises: EWS impersonating it answers ErrorNonExistentMailbox,
 * and the on-premises Autodiscover POX answers `<Action>redirectAddr</Action>` with the user's cloud routing address
 * (`user@tenant.mail.onmicrosoft.com`, its targetAddress), which a client is to ask Autodiscover again with
 * ([MS-OXDSCLI] 3.2.5; RedirectAddr (POX)). That redirect is what tells "moved to the cloud" from "no mailbox".
 * The lookup goes to the EWS URL's own host, which already holds the service account's credentials.
 */
import { XMLParser } from "fast-xml-parser";
import type { HttpResult, OutboundRequestInit } from "../transport.js";
import { escapeXml } from "./xml.js";

const REQUEST_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
const RESPONSE_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/** The routing domains Exchange hybrid gives a tenant: worldwide, US government clouds, and 21Vianet. */
const CLOUD_ROUTING_SUFFIXES = [".mail.onmicrosoft.com", ".mail.onmicrosoft.us", ".mail.partner.onmschina.cn"];

const parser = new XMLParser({
  removeNSPrefix: true,
  parseTagValue: false,
  ignoreAttributes: true,
});

/** The Autodiscover POX endpoint beside an EWS URL (same scheme, host and port). */
export function autodiscoverUrlBeside(ewsUrl: string): string {
  return new URL("/autodiscover/autodiscover.xml", ewsUrl).toString();
}

export function poxRequest(email: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<Autodiscover xmlns="${REQUEST_SCHEMA}"><Request>` +
    `<EMailAddress>${escapeXml(email)}</EMailAddress><AcceptableResponseSchema>${RESPONSE_SCHEMA}</AcceptableResponseSchema>` +
    `</Request></Autodiscover>`
  );
}

/** A tenant's cloud routing address (the targetAddress of a remote mailbox), e.g. adele@contoso.mail.onmicrosoft.com. */
export function isCloudRoutingAddress(address: string): boolean {
  const domain = address.toLowerCase().split("@")[1];
  return domain !== undefined && CLOUD_ROUTING_SUFFIXES.some((suffix) => domain.endsWith(suffix));
}

export type PoxAnswer =
  | { kind: "redirectAddr"; address: string }
  | { kind: "settings" }
  | { kind: "error"; detail: string }
  | { kind: "invalid"; detail: string };

function text(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "object" && value !== null && "#text" in value) return String(value["#text"]).trim();
  return "";
}

/** Reads an Outlook POX Autodiscover answer: a redirect to another address, settings, or an error. */
export function readPoxAnswer(xml: string): PoxAnswer {
  // Autodiscover never sends a DTD: refuse one before parsing, so no entity is ever declared.
  if (/<!DOCTYPE/i.test(xml)) return { kind: "invalid", detail: "the answer carries a DTD" };
  let document: Record<string, unknown>;
  try {
    document = parser.parse(xml, true) as Record<string, unknown>;
  } catch {
    return { kind: "invalid", detail: "the answer is not XML" };
  }
  const response = (document.Autodiscover as { Response?: Record<string, unknown> } | undefined)?.Response;
  if (typeof response !== "object" || response === null) {
    return { kind: "invalid", detail: "the answer is not an Autodiscover response" };
  }
  const error = response.Error as Record<string, unknown> | undefined;
  if (typeof error === "object" && error !== null) {
    return { kind: "error", detail: `Autodiscover error ${text(error.ErrorCode)}: ${text(error.Message)}`.trim() };
  }
  const account = response.Account as Record<string, unknown> | undefined;
  if (typeof account !== "object" || account === null) return { kind: "invalid", detail: "the answer has no Account" };
  const action = text(account.Action).toLowerCase();
  const address = text(account.RedirectAddr);
  if (action === "redirectaddr" && /^[^@\s]+@[^@\s]+$/.test(address)) return { kind: "redirectAddr", address };
  if (action === "settings") return { kind: "settings" };
  return { kind: "invalid", detail: `Autodiscover answered the action "${action || "(none)"}"` };
}

export type RemoteMailboxLookup = { found: true; routingAddress: string } | { found: false; detail: string };

/** Asks the on-premises Autodiscover where `email` lives; found when it redirects to a cloud routing address. */
export async function lookUpRemoteMailbox(
  send: (url: string, init: OutboundRequestInit, signal: AbortSignal) => Promise<HttpResult>,
  autodiscoverUrl: string,
  email: string,
  signal: AbortSignal,
): Promise<RemoteMailboxLookup> {
  const result = await send(
    autodiscoverUrl,
    {
      method: "POST",
      headers: { "Content-Type": "text/xml; charset=utf-8", "X-AnchorMailbox": email },
      body: poxRequest(email),
      redirect: "manual",
    },
    signal,
  );
  if (!result.ok) return { found: false, detail: result.failure.detail ?? result.failure.category };
  if (result.answer.status !== 200) {
    return { found: false, detail: `Autodiscover answered HTTP ${result.answer.status}` };
  }
  const answer = readPoxAnswer(result.answer.body);
  switch (answer.kind) {
    case "redirectAddr":
      return isCloudRoutingAddress(answer.address)
        ? { found: true, routingAddress: answer.address }
        : { found: false, detail: `Autodiscover redirects to ${answer.address}, which is not a cloud routing address` };
    case "settings":
      return { found: false, detail: "Autodiscover answers with on-premises settings for this address" };
    case "error":
    case "invalid":
      return { found: false, detail: answer.detail };
  }
}
