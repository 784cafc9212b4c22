/**
 * Pure builders of the EWS SOAP 1.1 requests the checks send. Every value is XML-escaped; every envelope validates
 * against Microsoft's messages.xsd/types.xsd (test/unit/server/exchange/ews/requests.test.ts).
 */
import type { EwsServerVersion } from "../config.js";
import { refuseCharacters } from "../unencodable.js";
import { escapeXml } from "./xml.js";

export const SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/";
export const EWS_MESSAGES_NS = "http://schemas.microsoft.com/exchange/services/2006/messages";
export const EWS_TYPES_NS = "http://schemas.microsoft.com/exchange/services/2006/types";

export type EwsOperation = "GetFolder" | "CreateItem" | "DeleteItem" | "GetRoomLists" | "GetRooms" | "ResolveNames";

export interface EwsRequestContext {
  serverVersion: EwsServerVersion;
  /** Primary SMTP address of the mailbox to impersonate; null to act as the service account itself. */
  impersonate: string | null;
  /** Address for X-AnchorMailbox when not impersonating (the service account); ignored when impersonating. */
  anchorMailbox?: string | null;
}

export interface EwsRequest {
  operation: EwsOperation;
  /** The SOAP envelope. */
  body: string;
  /** HTTP headers that belong to this request (Content-Type, SOAPAction, X-AnchorMailbox). */
  headers: Record<string, string>;
}

export type DistinguishedFolder = "msgfolderroot" | "inbox" | "drafts";

function envelope(operation: EwsOperation, context: EwsRequestContext, bodyXml: string): EwsRequest {
  const impersonation =
    context.impersonate === null
      ? ""
      : `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${escapeXml(context.impersonate)}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`;
  const body =
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:m="${EWS_MESSAGES_NS}" xmlns:t="${EWS_TYPES_NS}">` +
    `<soap:Header><t:RequestServerVersion Version="${escapeXml(context.serverVersion)}"/>${impersonation}</soap:Header>` +
    `<soap:Body>${bodyXml}</soap:Body></soap:Envelope>`;
  const headers: Record<string, string> = {
    "Content-Type": "text/xml; charset=utf-8",
    Accept: "text/xml",
    SOAPAction: `"${EWS_MESSAGES_NS}/${operation}"`,
  };
  // Routes the request to the target mailbox's server (required by Exchange Online and recommended on-premises).
  const anchor = context.impersonate ?? context.anchorMailbox ?? null;
  if (anchor !== null && anchor !== "") headers["X-AnchorMailbox"] = headerSafe(anchor);
  return { operation, body, headers };
}

/**
 * An HTTP header value carries printable ASCII only (CR or LF would split headers, other bytes are not UTF-8 on the
 * wire); anything else throws UnencodableValueError rather than anchoring the request on another mailbox.
 */
function headerSafe(value: string): string {
  refuseCharacters(value, /^[^\x20-\x7E]$/, "An HTTP header");
  return value;
}

/** The cheap read-only probe: the folder's id only. */
export function buildGetFolder(context: EwsRequestContext, folder: DistinguishedFolder = "msgfolderroot"): EwsRequest {
  return envelope(
    "GetFolder",
    context,
    `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>` +
      `<m:FolderIds><t:DistinguishedFolderId Id="${folder}"/></m:FolderIds></m:GetFolder>`,
  );
}

export interface TestMessage {
  subject: string;
  body: string;
}

/** The connectivity test's write step: a message saved (never sent) to Drafts. */
export function buildCreateItem(context: EwsRequestContext, message: TestMessage): EwsRequest {
  return envelope(
    "CreateItem",
    context,
    `<m:CreateItem MessageDisposition="SaveOnly">` +
      `<m:SavedItemFolderId><t:DistinguishedFolderId Id="drafts"/></m:SavedItemFolderId>` +
      `<m:Items><t:Message><t:Subject>${escapeXml(message.subject)}</t:Subject>` +
      `<t:Body BodyType="Text">${escapeXml(message.body)}</t:Body></t:Message></m:Items></m:CreateItem>`,
  );
}

export interface EwsItemId {
  id: string;
  changeKey: string | null;
}

/** Removes the test message for good (HardDelete: it never lands in Deleted Items). */
export function buildDeleteItem(context: EwsRequestContext, item: EwsItemId): EwsRequest {
  const changeKey = item.changeKey === null ? "" : ` ChangeKey="${escapeXml(item.changeKey)}"`;
  return envelope(
    "DeleteItem",
    context,
    `<m:DeleteItem DeleteType="HardDelete"><m:ItemIds><t:ItemId Id="${escapeXml(item.id)}"${changeKey}/></m:ItemIds></m:DeleteItem>`,
  );
}

export function buildGetRoomLists(context: EwsRequestContext): EwsRequest {
  return envelope("GetRoomLists", context, `<m:GetRoomLists/>`);
}

export function buildGetRooms(context: EwsRequestContext, roomListAddress: string): EwsRequest {
  return envelope(
    "GetRooms",
    context,
    `<m:GetRooms><m:RoomList><t:EmailAddress>${escapeXml(roomListAddress)}</t:EmailAddress></m:RoomList></m:GetRooms>`,
  );
}

/**
 * The directory as EWS shows it: ResolveNames of the bare "SMTP:" prefix in Active Directory matches every
 * mail-enabled recipient, and Exchange answers at most 100 of them (ResolutionSet IncludesLastItemInRange says
 * whether that was all). Full contact data carries the proxy addresses (EmailAddresses), to tell aliases apart.
 */
export function buildResolveNames(context: EwsRequestContext, entry: string): EwsRequest {
  return envelope(
    "ResolveNames",
    context,
    `<m:ResolveNames ReturnFullContactData="true" SearchScope="ActiveDirectory">` +
      `<m:UnresolvedEntry>${escapeXml(entry)}</m:UnresolvedEntry></m:ResolveNames>`,
  );
}
