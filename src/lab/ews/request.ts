/**
 * Reads an EWS SOAP request: the operation, the ExchangeImpersonation header and the operation's element.
 * Namespace prefixes are dropped (clients choose their own), which is namespace-aware enough for EWS's two namespaces.
 */
import { XMLParser } from "fast-xml-parser";

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

export type ImpersonationHeader =
  | { kind: "none" }
  | { kind: "address"; by: "PrimarySmtpAddress" | "SmtpAddress" | "PrincipalName"; value: string }
  | { kind: "sid"; value: string }
  | { kind: "invalid"; reason: string };

export interface EwsRequest {
  operation: string;
  body: XmlNode;
  impersonation: ImpersonationHeader;
}

export class EwsRequestError extends Error {}

export function asNode(value: unknown): XmlNode | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as XmlNode) : undefined;
}

/** Every child element of that name (repeated elements parse as arrays, single ones as a value). */
export function children(node: XmlNode | undefined, name: string): unknown[] {
  const value = node?.[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const [first] = children(node, name);
  return asNode(first) ?? (typeof first === "string" ? { "#text": first } : undefined);
}

export function text(value: unknown): string {
  if (typeof value === "string") return value.trim();
  const node = asNode(value);
  const inner = node?.["#text"];
  return typeof inner === "string" ? inner.trim() : "";
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@${name}`];
  return typeof value === "string" ? value : undefined;
}

const EMAILISH = /^[^\s@<>"]+@[^\s@<>"]+$/;
const SID = /^S-1-\d+(-\d+)+$/i;

function readImpersonation(header: XmlNode | undefined): ImpersonationHeader {
  const present = header?.ExchangeImpersonation;
  if (present === undefined) return { kind: "none" };
  const impersonation = asNode(present);
  const sid = asNode(impersonation?.ConnectingSID);
  if (!sid) return { kind: "invalid", reason: "ConnectingSID is missing" };
  for (const by of ["PrimarySmtpAddress", "SmtpAddress", "PrincipalName"] as const) {
    if (sid[by] === undefined) continue;
    const value = text(sid[by]);
    if (!EMAILISH.test(value)) return { kind: "invalid", reason: `${by} is not an address` };
    return { kind: "address", by, value: value.toLowerCase() };
  }
  if (sid.SID !== undefined) {
    const value = text(sid.SID);
    return SID.test(value) ? { kind: "sid", value } : { kind: "invalid", reason: "SID is malformed" };
  }
  return { kind: "invalid", reason: "ConnectingSID names no principal" };
}

export function parseEwsRequest(xml: string): EwsRequest {
  let doc: XmlNode;
  try {
    doc = parser.parse(xml, true) as XmlNode;
  } catch (error) {
    throw new EwsRequestError(`The request XML is malformed: ${(error as Error).message.split("\n")[0] ?? ""}`);
  }
  const envelope = asNode(doc.Envelope);
  if (!envelope) throw new EwsRequestError("The request is not a SOAP envelope.");
  const body = asNode(envelope.Body);
  const operation = body ? Object.keys(body).find((key) => !key.startsWith("@")) : undefined;
  if (!body || !operation) throw new EwsRequestError("The SOAP body names no operation.");
  return {
    operation,
    body: asNode(body[operation]) ?? {},
    impersonation: readImpersonation(asNode(envelope.Header)),
  };
}
