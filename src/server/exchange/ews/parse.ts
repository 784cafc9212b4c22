/**
 * Parses EWS SOAP responses with a real XML parser. Exchange and proxies use varying namespace prefixes (s:, soap:,
 * m:, t:, e:, none), so prefixes are dropped and elements are matched by local name. Anything that is not a
 * well-formed SOAP envelope with the expected response shape comes back as { kind: "invalid" }.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { EwsItemId, EwsOperation } from "./requests.js";

type XmlNode = Record<string, unknown>;

const ALWAYS_ARRAY = new Set([
  "Value",
  "GetFolderResponseMessage",
  "CreateItemResponseMessage",
  "DeleteItemResponseMessage",
  "GetRoomListsResponse",
  "GetRoomsResponse",
  "Address",
  "Room",
  "Message",
  "ResolveNamesResponseMessage",
  "Resolution",
  "Entry",
]);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Responses never need DTD entities; refusing them closes the door on entity-expansion attacks.
  processEntities: false,
  htmlEntities: false,
  isArray: (tagName) => ALWAYS_ARRAY.has(tagName),
});

export interface ServerVersionInfo {
  majorVersion: number | null;
  minorVersion: number | null;
  version: string | null;
}

export interface EwsResponseMessage {
  responseClass: "Success" | "Warning" | "Error";
  responseCode: string;
  messageText: string | null;
  /** MessageXml's t:Value elements by Name (BackOffMilliseconds, Primary, ...). */
  messageXml: Record<string, string>;
  /** The response message element itself, for typed extraction. */
  node: XmlNode;
}

export type ParsedEwsResponse =
  | {
      kind: "messages";
      operation: EwsOperation;
      messages: EwsResponseMessage[];
      serverVersion: ServerVersionInfo | null;
    }
  | {
      kind: "fault";
      faultCode: string;
      faultString: string;
      /** detail/ResponseCode when Exchange sent one (it usually does). */
      responseCode: string | null;
      messageXml: Record<string, string>;
      serverVersion: ServerVersionInfo | null;
    }
  | { kind: "invalid"; reason: string };

function isNode(value: unknown): value is XmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function child(node: unknown, name: string): unknown {
  return isNode(node) ? node[name] : undefined;
}

/** Text content of an element whether the parser gave a string or { "#text": ... } (element with attributes). */
export function textOf(node: unknown): string | null {
  if (typeof node === "string") return node;
  if (typeof node === "number" || typeof node === "boolean") return String(node);
  if (isNode(node)) {
    const text = node["#text"];
    if (typeof text === "string" || typeof text === "number") return String(text);
    // An element with attributes and no text is "", not absent.
    return "";
  }
  return null;
}

function attr(node: unknown, name: string): string | null {
  const value = child(node, `@_${name}`);
  return typeof value === "string" ? value : null;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function messageXmlValues(messageXml: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  for (const value of asArray(child(messageXml, "Value"))) {
    const name = attr(value, "Name");
    const text = textOf(value);
    if (name !== null && text !== null) values[name] = text;
  }
  return values;
}

function serverVersionOf(envelope: unknown): ServerVersionInfo | null {
  const info = child(child(envelope, "Header"), "ServerVersionInfo");
  if (!isNode(info)) return null;
  const number = (name: string): number | null => {
    const raw = attr(info, name);
    const parsed = raw === null ? NaN : Number.parseInt(raw, 10);
    return Number.isFinite(parsed) ? parsed : null;
  };
  return { majorVersion: number("MajorVersion"), minorVersion: number("MinorVersion"), version: attr(info, "Version") };
}

const RESPONSE_CLASSES = new Set(["Success", "Warning", "Error"]);

/** Which element wraps each response message, and the response element itself. */
const RESPONSE_SHAPE: Record<EwsOperation, { response: string; message: string | null }> = {
  GetFolder: { response: "GetFolderResponse", message: "GetFolderResponseMessage" },
  CreateItem: { response: "CreateItemResponse", message: "CreateItemResponseMessage" },
  DeleteItem: { response: "DeleteItemResponse", message: "DeleteItemResponseMessage" },
  // GetRoomLists and GetRooms responses are themselves the response message (no ResponseMessages wrapper).
  GetRoomLists: { response: "GetRoomListsResponse", message: null },
  GetRooms: { response: "GetRoomsResponse", message: null },
  ResolveNames: { response: "ResolveNamesResponse", message: "ResolveNamesResponseMessage" },
};

function readResponseMessage(node: unknown): EwsResponseMessage | string {
  if (!isNode(node)) return "response message is empty";
  const responseClass = attr(node, "ResponseClass");
  if (responseClass === null || !RESPONSE_CLASSES.has(responseClass))
    return "response message has no valid ResponseClass";
  const code = textOf(node.ResponseCode);
  if (responseClass !== "Success" && (code === null || code === "")) return "error response without a ResponseCode";
  return {
    responseClass: responseClass as EwsResponseMessage["responseClass"],
    responseCode: code === null || code === "" ? "NoError" : code,
    messageText: textOf(node.MessageText),
    messageXml: messageXmlValues(node.MessageXml),
    node,
  };
}

/** Parses a response body for the operation that was sent. Never throws. */
export function parseEwsResponse(operation: EwsOperation, xml: string): ParsedEwsResponse {
  if (xml.trim() === "") return { kind: "invalid", reason: "empty body" };
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    return { kind: "invalid", reason: `not well-formed XML (line ${wellFormed.err.line}: ${wellFormed.err.msg})` };
  }
  let document: unknown;
  try {
    document = parser.parse(xml);
  } catch (error) {
    return { kind: "invalid", reason: `unparseable XML: ${error instanceof Error ? error.message : String(error)}` };
  }
  const envelope = child(document, "Envelope");
  const body = child(envelope, "Body");
  if (!isNode(body)) return { kind: "invalid", reason: "not a SOAP envelope" };
  const serverVersion = serverVersionOf(envelope);

  const fault = body.Fault;
  if (fault !== undefined) {
    const detail = child(fault, "detail") ?? child(fault, "Detail");
    const responseCode = textOf(child(detail, "ResponseCode"));
    const faultCode = textOf(child(fault, "faultcode")) ?? "";
    return {
      kind: "fault",
      // faultcode is a QName (a:ErrorServerBusy): keep the local part.
      faultCode: faultCode.includes(":") ? faultCode.slice(faultCode.indexOf(":") + 1) : faultCode,
      faultString: textOf(child(fault, "faultstring")) ?? "",
      responseCode: responseCode === null || responseCode === "" ? null : responseCode,
      messageXml: messageXmlValues(child(detail, "MessageXml")),
      serverVersion,
    };
  }

  const shape = RESPONSE_SHAPE[operation];
  const responseNodes = asArray(body[shape.response]);
  if (responseNodes.length !== 1) return { kind: "invalid", reason: `no ${shape.response} in the SOAP body` };
  const responseNode = responseNodes[0];
  const messageNodes =
    shape.message === null ? [responseNode] : asArray(child(child(responseNode, "ResponseMessages"), shape.message));
  if (messageNodes.length === 0) return { kind: "invalid", reason: `${shape.response} has no response message` };
  const messages: EwsResponseMessage[] = [];
  for (const node of messageNodes) {
    const message = readResponseMessage(node);
    if (typeof message === "string") return { kind: "invalid", reason: message };
    messages.push(message);
  }
  return { kind: "messages", operation, messages, serverVersion };
}

/** GetFolder: the folder id of the first folder returned (any folder class). */
export function folderIdOf(message: EwsResponseMessage): string | null {
  const folders = child(message.node, "Folders");
  if (!isNode(folders)) return null;
  for (const folder of Object.values(folders).flatMap(asArray)) {
    const id = attr(child(folder, "FolderId"), "Id");
    if (id !== null && id !== "") return id;
  }
  return null;
}

/** CreateItem: the id and change key of the saved message. */
export function createdItemIdOf(message: EwsResponseMessage): EwsItemId | null {
  const items = child(message.node, "Items");
  if (!isNode(items)) return null;
  for (const item of Object.values(items).flatMap(asArray)) {
    const itemId = child(item, "ItemId");
    const id = attr(itemId, "Id");
    if (id !== null && id !== "") return { id, changeKey: attr(itemId, "ChangeKey") };
  }
  return null;
}

export interface EwsMailboxAddress {
  name: string | null;
  email: string;
}

function addressOf(node: unknown): EwsMailboxAddress | null {
  const email = textOf(child(node, "EmailAddress"));
  if (email === null || email === "") return null;
  const name = textOf(child(node, "Name"));
  return { name: name === "" ? null : name, email };
}

/** GetRoomLists: the room list distribution groups. */
export function roomListsOf(message: EwsResponseMessage): EwsMailboxAddress[] {
  return asArray(child(child(message.node, "RoomLists"), "Address"))
    .map(addressOf)
    .filter((address): address is EwsMailboxAddress => address !== null);
}

/** GetRooms: the rooms of one list. */
export function roomsOf(message: EwsResponseMessage): EwsMailboxAddress[] {
  return asArray(child(child(message.node, "Rooms"), "Room"))
    .map((room) => addressOf(child(room, "Id")))
    .filter((address): address is EwsMailboxAddress => address !== null);
}

export interface EwsResolution extends EwsMailboxAddress {
  /** The contact's EmailAddresses entries ("SMTP:…" or bare), when full contact data was asked for. */
  addresses: string[];
}

/** ResolveNames: each resolution's mailbox, and whether the set holds the last match (false: Exchange stopped). */
export function resolutionsOf(message: EwsResponseMessage): { resolutions: EwsResolution[]; complete: boolean } {
  const set = child(message.node, "ResolutionSet");
  const resolutions = asArray(child(set, "Resolution")).flatMap((resolution): EwsResolution[] => {
    const mailbox = addressOf(child(resolution, "Mailbox"));
    if (mailbox === null) return [];
    const entries = asArray(child(child(child(resolution, "Contact"), "EmailAddresses"), "Entry"));
    const addresses = entries.map(textOf).filter((text): text is string => text !== null && text !== "");
    return [{ ...mailbox, addresses }];
  });
  return { resolutions, complete: attr(set, "IncludesLastItemInRange") !== "false" };
}
