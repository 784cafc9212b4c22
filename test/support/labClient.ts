/**
 * A small client for talking to a lab in tests: HTTPS that trusts only the lab's CA (verification stays on), EWS
 * request builders written from the EWS schema (independent of the product's EWS client), and scenario fixtures.
 */
import { Agent, request } from "undici";
import { DEMO_SCENARIO_FILE, loadScenarioFile, type Lab, type Scenario } from "../../src/lab/index.js";

export interface LabResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agents = new WeakMap<Lab, Agent>();

export function agentFor(lab: Lab): Agent {
  let agent = agents.get(lab);
  if (!agent) {
    agent = new Agent({ connect: { ca: lab.caCertPem }, connections: 64 });
    agents.set(lab, agent);
  }
  return agent;
}

export async function labRequest(
  lab: Lab,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<LabResponse> {
  const response = await request(`${lab.baseUrl}${path}`, {
    dispatcher: agentFor(lab),
    method: (init.method ?? (init.body === undefined ? "GET" : "POST")) as "GET",
    headers: init.headers ?? {},
    body: init.body ?? null,
    headersTimeout: init.timeoutMs ?? 20_000,
    bodyTimeout: init.timeoutMs ?? 20_000,
  });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

/**
 * A scenario (default: the demo org) whose EWS and Autodiscover also offer Basic, for tests about what Exchange
 * answers rather than how callers sign in (a shipped on-premises directory offers Windows authentication only).
 */
export async function withBasic(file: string = DEMO_SCENARIO_FILE): Promise<Scenario> {
  return { ...(await loadScenarioFile(file)), ewsAuth: ["ntlm", "basic"] };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

export type Impersonation =
  | { PrimarySmtpAddress: string }
  | { SmtpAddress: string }
  | { PrincipalName: string }
  | { SID: string }
  | { raw: string };

export function envelope(body: string, impersonate?: Impersonation): string {
  let header = '<t:RequestServerVersion Version="Exchange2016"/>';
  if (impersonate) {
    const [kind, value] = Object.entries(impersonate)[0] as [string, string];
    const sid = kind === "raw" ? value : `<t:${kind}>${value}</t:${kind}>`;
    header += `<t:ExchangeImpersonation><t:ConnectingSID>${sid}</t:ConnectingSID></t:ExchangeImpersonation>`;
  }
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" ' +
    'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">' +
    `<soap:Header>${header}</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

export const getFolderBody = (folder = "inbox", mailbox?: string): string =>
  `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds>` +
  `<t:DistinguishedFolderId Id="${folder}">${mailbox ? `<t:Mailbox><t:EmailAddress>${mailbox}</t:EmailAddress></t:Mailbox>` : ""}</t:DistinguishedFolderId>` +
  `</m:FolderIds></m:GetFolder>`;

export const createItemBody = (): string =>
  `<m:CreateItem MessageDisposition="SaveOnly"><m:SavedItemFolderId><t:DistinguishedFolderId Id="drafts"/></m:SavedItemFolderId>` +
  `<m:Items><t:Message><t:Subject>Sync Sidebar connectivity test</t:Subject><t:Body BodyType="Text">test</t:Body></t:Message></m:Items></m:CreateItem>`;

export const deleteItemBody = (id: string): string =>
  `<m:DeleteItem DeleteType="HardDelete"><m:ItemIds><t:ItemId Id="${id}"/></m:ItemIds></m:DeleteItem>`;

export const getRoomListsBody = (): string => "<m:GetRoomLists/>";

export const getRoomsBody = (list: string): string =>
  `<m:GetRooms><m:RoomList><t:EmailAddress>${list}</t:EmailAddress></m:RoomList></m:GetRooms>`;

export const resolveNamesBody = (entry: string): string =>
  `<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>${entry}</m:UnresolvedEntry></m:ResolveNames>`;

/** Sends one EWS request; `auth` is a full Authorization header value. */
export function ews(
  lab: Lab,
  auth: string | undefined,
  body: string,
  impersonate?: Impersonation,
  extraHeaders: Record<string, string> = {},
): Promise<LabResponse> {
  const headers: Record<string, string> = { "content-type": "text/xml; charset=utf-8", ...extraHeaders };
  if (auth) headers.authorization = auth;
  if (impersonate && "PrimarySmtpAddress" in impersonate) headers["x-anchormailbox"] = impersonate.PrimarySmtpAddress;
  return labRequest(lab, "/EWS/Exchange.asmx", { body: envelope(body, impersonate), headers });
}

/** The ResponseCode of a response message or SOAP fault detail. */
export function responseCode(xml: string): string | undefined {
  return /<(?:m|e):ResponseCode[^>]*>([^<]+)</.exec(xml)?.[1];
}

export function messageValue(xml: string, name: string): string | undefined {
  return new RegExp(`<t:Value Name="${name}">([^<]*)</t:Value>`).exec(xml)?.[1];
}
