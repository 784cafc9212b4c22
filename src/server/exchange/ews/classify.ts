/**
 * Maps an EWS answer (HTTP status, SOAP fault, response message) to a category from src/contract/categories.ts.
 * The tables below name every EWS ResponseCode and HTTP status of DOMAIN.md; anything else is unknown_error with the
 * server's own words as detail.
 */
import type { CategoryId } from "../../../contract/categories.js";
import type { Classified, HttpAnswer } from "../transport.js";
import { retryAfterMs } from "../transport.js";
import type { EwsResponseMessage, ParsedEwsResponse, ServerVersionInfo } from "./parse.js";
import { parseEwsResponse } from "./parse.js";
import type { EwsOperation } from "./requests.js";

export const RESPONSE_CODE_CATEGORIES: Readonly<Record<string, CategoryId>> = {
  NoError: "ok",
  ErrorImpersonateUserDenied: "impersonation_denied",
  ErrorImpersonationDenied: "impersonation_not_granted",
  ErrorImpersonationFailed: "impersonation_failed",
  ErrorInvalidExchangeImpersonationHeaderData: "bad_impersonation_header",
  ErrorInvalidSmtpAddress: "bad_impersonation_header",
  ErrorNonExistentMailbox: "no_mailbox",
  ErrorNameResolutionNoMailbox: "no_mailbox",
  // An account without a mailbox asking for its own distinguished folder.
  ErrorMissingEmailAddress: "no_mailbox",
  ErrorNonPrimarySmtpAddress: "non_primary_address",
  ErrorAccessDenied: "access_denied",
  ErrorAccountDisabled: "account_disabled",
  ErrorMailboxMoveInProgress: "mailbox_moving",
  ErrorMailboxStoreUnavailable: "mailbox_store_unavailable",
  ErrorServerBusy: "server_busy",
  ErrorExceededConnectionCount: "too_many_connections",
  ErrorQuotaExceeded: "mailbox_full",
  ErrorInvalidLicense: "forbidden",
  ErrorUserNotAllowedByPolicy: "forbidden",
  ErrorInternalServerError: "server_error",
  ErrorInternalServerTransientError: "server_error",
  ErrorConnectionFailed: "server_error",
  ErrorTimeoutExpired: "server_error",
  ErrorInsufficientResources: "server_error",
  ErrorTooManyObjectsOpened: "server_error",
  ErrorNoRespondingCASInDestinationSite: "server_error",
  ErrorProxyServiceDiscoveryFailed: "server_error",
};

/** "ExchangeImpersonation SOAP header must (not) be present for this type of OAuth token." */
const TOKEN_HEADER_MISMATCH =
  /ExchangeImpersonation SOAP header must (?:not )?be present for this type of OAuth token/i;

/** Exchange Online answers with ServerVersionInfo 15.20 (on-premises 2016 is 15.1, 2019 and SE are 15.2). */
export function isExchangeOnlineVersion(info: ServerVersionInfo | null): boolean {
  return info !== null && info.majorVersion === 15 && info.minorVersion !== null && info.minorVersion >= 20;
}

export type EwsOutcome =
  | { ok: true; messages: EwsResponseMessage[]; serverVersion: ServerVersionInfo | null; classified: Classified }
  | { ok: false; classified: Classified; serverVersion: ServerVersionInfo | null };

function withCode(detail: string | null | undefined, code: string): string {
  const text = detail?.trim() ?? "";
  return text === "" ? code : `${code}: ${text}`;
}

function backOffOf(values: Record<string, string>): number | null {
  const raw = values.BackOffMilliseconds;
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return null;
  return Number.parseInt(raw.trim(), 10);
}

/** Classifies one response code with its message text and MessageXml values. */
export function classifyResponseCode(code: string, text: string | null, values: Record<string, string>): Classified {
  if (text !== null && TOKEN_HEADER_MISMATCH.test(text)) {
    return { category: "token_header_mismatch", detail: withCode(text, code) };
  }
  const category = RESPONSE_CODE_CATEGORIES[code] ?? "unknown_error";
  const classified: Classified = { category, detail: withCode(text, code) };
  if (category === "server_busy") {
    const backOff = backOffOf(values);
    if (backOff !== null) classified.backOffMs = backOff;
  }
  if (category === "non_primary_address") {
    const primary = values.Primary ?? Object.values(values).find((value) => /^[^@\s]+@[^@\s]+$/.test(value));
    if (primary !== undefined) classified.primarySmtpAddress = primary;
  }
  return classified;
}

/** Short, single-line excerpt of a non-SOAP body for the admin (never more than 200 characters). */
/** Exchange Online's EWS switches (DOMAIN.md): the organization's or mailbox's EwsEnabled, the EwsAllowedAppIDs list. */
const EWS_BLOCKED = /EwsEnabled|EwsAllowedAppIDs|EwsApplicationAccessPolicy/i;

function excerpt(body: string): string {
  const text = body
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function classifyFault(parsed: Extract<ParsedEwsResponse, { kind: "fault" }>, status: number): Classified {
  const code = parsed.responseCode ?? parsed.faultCode;
  // An Exchange response code (known or not) is classified like a response message; a bare SOAP fault
  // (soap:Server, a proxy's fault) is a server failure worth retrying.
  const classified = code.startsWith("Error")
    ? classifyResponseCode(code, parsed.faultString, parsed.messageXml)
    : TOKEN_HEADER_MISMATCH.test(parsed.faultString)
      ? classifyResponseCode(code, parsed.faultString, parsed.messageXml)
      : { category: "server_error" as const, detail: withCode(parsed.faultString, `SOAP fault ${code}`) };
  return { ...classified, httpStatus: status };
}

/** Classifies an HTTP answer to an EWS request; success keeps the parsed response messages for typed extraction. */
export function classifyEwsAnswer(operation: EwsOperation, answer: HttpAnswer): EwsOutcome {
  const { status, headers, body } = answer;
  const diagnostics = headers.get("x-ms-diagnostics") ?? "";
  const parsed = parseEwsResponse(operation, body);
  const serverVersion = parsed.kind === "invalid" ? null : parsed.serverVersion;
  const fail = (classified: Classified): EwsOutcome => ({ ok: false, classified, serverVersion });

  if (TOKEN_HEADER_MISMATCH.test(diagnostics) || (status >= 400 && TOKEN_HEADER_MISMATCH.test(body))) {
    const match = TOKEN_HEADER_MISMATCH.exec(diagnostics) ?? TOKEN_HEADER_MISMATCH.exec(body);
    return fail({
      category: "token_header_mismatch",
      detail: match?.[0] ?? "token/header mismatch",
      httpStatus: status,
    });
  }
  if (status === 401) {
    const reason = diagnostics !== "" ? diagnostics : (headers.get("www-authenticate") ?? "");
    return fail({ category: "auth_failed", detail: `HTTP 401${reason === "" ? "" : ` (${reason})`}`, httpStatus: 401 });
  }
  if (status === 403 && (EWS_BLOCKED.test(diagnostics) || EWS_BLOCKED.test(body))) {
    const reason = /reason="([^"]*)"/.exec(diagnostics)?.[1] ?? excerpt(body);
    return fail({ category: "ews_blocked", detail: `HTTP 403: ${reason}`, httpStatus: 403 });
  }
  if (status === 403) {
    return fail({
      category: "forbidden",
      detail: `HTTP 403${body.trim() === "" ? "" : `: ${excerpt(body)}`}`,
      httpStatus: 403,
    });
  }
  if (status === 429 || status === 503) {
    const classified: Classified = { category: "throttled", detail: `HTTP ${status}`, httpStatus: status };
    const wait = retryAfterMs(headers);
    if (wait !== null) classified.backOffMs = wait;
    // Exchange may still send an ErrorServerBusy fault with its own BackOffMilliseconds in a 503.
    if (parsed.kind === "fault") {
      const fault = classifyFault(parsed, status);
      if (fault.backOffMs !== undefined) classified.backOffMs = Math.max(classified.backOffMs ?? 0, fault.backOffMs);
    }
    return fail(classified);
  }
  if (status >= 300 && status < 400) {
    const location = headers.get("location");
    return fail({
      category: "bad_response",
      detail: `HTTP ${status} redirect${location === null ? "" : ` to ${location}`}: the EWS URL does not point at Exchange Web Services`,
      httpStatus: status,
    });
  }
  if (parsed.kind === "fault") return fail(classifyFault(parsed, status));
  if (status >= 500) {
    return fail({
      category: "server_error",
      detail: `HTTP ${status}${body.trim() === "" ? "" : `: ${excerpt(body)}`}`,
      httpStatus: status,
    });
  }
  if (status !== 200) {
    return fail({
      category: "bad_response",
      detail: `HTTP ${status}${body.trim() === "" ? "" : `: ${excerpt(body)}`}`,
      httpStatus: status,
    });
  }
  if (parsed.kind === "invalid") {
    return fail({ category: "bad_response", detail: parsed.reason, httpStatus: status });
  }
  const failed = parsed.messages.find((message) => message.responseClass === "Error");
  if (failed !== undefined) {
    return fail({
      ...classifyResponseCode(failed.responseCode, failed.messageText, failed.messageXml),
      httpStatus: status,
    });
  }
  return { ok: true, messages: parsed.messages, serverVersion, classified: { category: "ok", httpStatus: status } };
}
