/**
 * EWS SOAP 1.1 response text, shaped as Exchange writes it and valid against messages.xsd / types.xsd: the
 * ServerVersionInfo header, response messages with MessageText, ResponseCode, DescriptiveLinkKey, MessageXml in
 * schema order, and SOAP faults for header-level refusals.
 */
import { escapeXml } from "../http.js";

export const NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
export const NS_M = "http://schemas.microsoft.com/exchange/services/2006/messages";
export const NS_T = "http://schemas.microsoft.com/exchange/services/2006/types";
export const NS_E = "http://schemas.microsoft.com/exchange/services/2006/errors";

export interface ServerVersion {
  major: number;
  minor: number;
  build: number;
  revision: number;
  version: string;
}

/** Exchange Online reports 15.20 with the 2018 schema; on-premises Exchange 2019 CU reports 15.2. */
export const SERVER_VERSIONS: Record<"online" | "onprem", ServerVersion> = {
  online: { major: 15, minor: 20, build: 8813, revision: 21, version: "V2018_01_08" },
  onprem: { major: 15, minor: 2, build: 1544, revision: 4, version: "V2017_07_11" },
};

export function envelopeHead(v: ServerVersion): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS_SOAP}"><s:Header>` +
    `<h:ServerVersionInfo MajorVersion="${v.major}" MinorVersion="${v.minor}" MajorBuildNumber="${v.build}" ` +
    `MinorBuildNumber="${v.revision}" Version="${v.version}" xmlns:h="${NS_T}" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"/>` +
    `</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`
  );
}

export const ENVELOPE_TAIL = "</s:Body></s:Envelope>";

/** One Error or Warning answer of a response message (schema order: MessageText, ResponseCode, DescriptiveLinkKey, MessageXml). */
export interface EwsError {
  code: string;
  text: string;
  /** `<t:Value Name="…">` entries for MessageXml, e.g. BackOffMilliseconds or the primary SMTP address. */
  values?: Array<[string, string]>;
  responseClass?: "Error" | "Warning";
}

export function messageXml(values: Array<[string, string]> | undefined): string {
  if (!values || values.length === 0) return "";
  return `<m:MessageXml>${values.map(([name, value]) => `<t:Value Name="${escapeXml(name)}">${escapeXml(value)}</t:Value>`).join("")}</m:MessageXml>`;
}

export function errorParts(error: EwsError): string {
  return (
    `<m:MessageText>${escapeXml(error.text)}</m:MessageText><m:ResponseCode>${error.code}</m:ResponseCode>` +
    `<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>${messageXml(error.values)}`
  );
}

/** `<m:{name} ResponseClass=…>` with either success payload or error parts followed by the error payload. */
export function responseMessage(
  name: string,
  outcome: { ok: true; payload: string } | { ok: false; error: EwsError; payload: string },
): string {
  if (outcome.ok)
    return `<m:${name} ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>${outcome.payload}</m:${name}>`;
  const cls = outcome.error.responseClass ?? "Error";
  return `<m:${name} ResponseClass="${cls}">${errorParts(outcome.error)}${outcome.payload}</m:${name}>`;
}

/** `<m:{op}Response><m:ResponseMessages>…</m:ResponseMessages></m:{op}Response>` in a full envelope. */
export function wrappedResponse(v: ServerVersion, operation: string, messages: string): string {
  return (
    envelopeHead(v) +
    `<m:${operation}Response xmlns:m="${NS_M}" xmlns:t="${NS_T}"><m:ResponseMessages>${messages}</m:ResponseMessages></m:${operation}Response>` +
    ENVELOPE_TAIL
  );
}

/** Operations whose response element is itself the response message (GetRoomLists, GetRooms). */
export function bareResponse(v: ServerVersion, operation: string, message: string): string {
  // message is `<m:{op}Response ResponseClass=…>…`; namespaces go on that element.
  return (
    envelopeHead(v) +
    message.replace(`<m:${operation}Response `, `<m:${operation}Response xmlns:m="${NS_M}" xmlns:t="${NS_T}" `) +
    ENVELOPE_TAIL
  );
}

/**
 * A SOAP fault as Exchange sends for header-level refusals (impersonation, schema, unknown operation), HTTP 500.
 * faultcode is `a:<ResponseCode>` in the types namespace, or soap:Client for requests EWS cannot understand.
 */
export function soapFault(error: EwsError, faultcode?: string): string {
  const code = faultcode ?? `a:${error.code}`;
  const values = error.values?.length
    ? `<t:MessageXml xmlns:t="${NS_T}">${error.values.map(([n, val]) => `<t:Value Name="${escapeXml(n)}">${escapeXml(val)}</t:Value>`).join("")}</t:MessageXml>`
    : "";
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS_SOAP}"><s:Body><s:Fault>` +
    `<faultcode xmlns:a="${NS_T}">${code}</faultcode><faultstring>${escapeXml(error.text)}</faultstring>` +
    `<detail><e:ResponseCode xmlns:e="${NS_E}">${error.code}</e:ResponseCode>` +
    `<e:Message xmlns:e="${NS_E}">${escapeXml(error.text)}</e:Message>${values}</detail>` +
    `</s:Fault></s:Body></s:Envelope>`
  );
}

/** Exchange's wording for every response code the lab produces (messages an admin may read in a check result). */
export const EWS_TEXT = {
  ErrorImpersonateUserDenied: "The account does not have permission to impersonate the requested user.",
  ErrorImpersonationDenied:
    "The server to which the application is trying to connect cannot impersonate the requested user due to insufficient permission.",
  ErrorImpersonationFailed: "Impersonation failed: the account could not be resolved in the directory.",
  ErrorInvalidExchangeImpersonationHeaderData: "The impersonation principal name is invalid.",
  HeaderMustBePresent: "ExchangeImpersonation SOAP header must be present for this type of OAuth token.",
  HeaderMustNotBePresent: "ExchangeImpersonation SOAP header must not be present for this type of OAuth token.",
  ErrorNonExistentMailbox: "The SMTP address has no mailbox associated with it.",
  ErrorAccountDisabled: "The account has been disabled.",
  ErrorMailboxMoveInProgress: "The mailbox is being moved. Try again later.",
  ErrorMailboxStoreUnavailable: "The mailbox store is unavailable.",
  ErrorNonPrimarySmtpAddress: "The SMTP address format is invalid: it is not the primary SMTP address of the mailbox.",
  ErrorServerBusy: "The server cannot service this request right now. Try again later.",
  ErrorAccessDenied: "Access is denied. Check credentials and try again.",
  ErrorMissingEmailAddress:
    "When making a request as an account that does not have a mailbox, you must specify the mailbox primary SMTP address for any distinguished folder Ids.",
  RoomsNeedMailbox: "The account used to sign in has no mailbox and licence, so rooms and room lists cannot be read.",
  ErrorItemNotFound: "The specified object was not found in the store.",
  ErrorNameResolutionNoResults: "No results were found.",
  ErrorNameResolutionMultipleResults: "Multiple results were found.",
  ErrorInvalidRequest: "The request is invalid.",
  ErrorSchemaValidation: "The request failed schema validation.",
  ErrorInvalidIdMalformed: "Id is malformed.",
} as const;
