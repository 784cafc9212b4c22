/**
 * Autodiscover: POX (POST /autodiscover/autodiscover.xml, authenticated, outlook response schema) as on-premises
 * Exchange answers the magic wand, and v2 JSON (GET /autodiscover/autodiscover.json?Email=…&Protocol=EWS) as
 * Exchange Online answers it without authentication.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DirectoryAuth } from "./windowsAuth.js";
import { Directory } from "./directory.js";
import { actOutFault, escapeXml, pickFault, readBody, send, sendJson } from "./http.js";
import type { Scenario } from "./scenario.js";
import type { LabStats } from "./stats.js";
import { EWS_AUDIENCE } from "./ews/service.js";
import { asNode, child, text } from "./ews/request.js";
import { XMLParser } from "fast-xml-parser";

const REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
const RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
const XML = "text/xml; charset=utf-8";
const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });

export class AutodiscoverService {
  constructor(
    private readonly scenario: Scenario,
    private readonly directory: Directory,
    private readonly auth: DirectoryAuth,
    private readonly stats: LabStats,
    /** The EWS URL discovered: mail.<domain> on-premises, outlook.office365.com online (reached via host override). */
    private readonly ewsUrl: string,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.autodiscoverRequests++;
    const url = new URL(req.url ?? "/", "https://lab.invalid");
    const pathname = url.pathname.toLowerCase();
    if (pathname === "/autodiscover/autodiscover.xml") return this.pox(req, res);
    if (pathname.startsWith("/autodiscover/autodiscover.json")) return this.json(req, res, url);
    sendJson(res, 404, { ErrorCode: "NotFound", ErrorMessage: "Unknown Autodiscover endpoint." });
  }

  private async pox(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method !== "POST") {
      send(res, 405, "", { allow: "POST" });
      return;
    }
    const auth = await this.auth.authenticate(req, [EWS_AUDIENCE], `autodiscover.${this.scenario.domain}`);
    if (!auth.ok) {
      res.writeHead(401, { "www-authenticate": auth.challenges, "content-length": 0 });
      res.end();
      return;
    }
    let email = "";
    try {
      const doc = asNode(parser.parse(body, true));
      email = text(child(child(asNode(doc?.Autodiscover), "Request"), "EMailAddress")).toLowerCase();
    } catch {
      email = "";
    }
    const fault = pickFault(this.scenario.faults, "autodiscover", email);
    if (fault && actOutFault(fault, res, () => this.poxSuccess(email), XML)) {
      this.stats.faultsInjected++;
      return;
    }
    const entry = email ? this.directory.find(email) : undefined;
    // Hybrid: a remote mailbox (moved to Exchange Online) is redirected to its cloud routing address, which a
    // client asks Autodiscover again with; a cloud-only user is unknown on-premises.
    const routing = entry && Directory.inCloud(entry) ? this.directory.routingAddress(entry) : null;
    if (routing !== null) {
      send(res, 200, this.poxRedirect(routing), { "content-type": XML });
      return;
    }
    if (!entry || entry.mailbox === "none" || entry.mailbox === "unresolved" || Directory.inCloud(entry)) {
      send(
        res,
        200,
        this.poxError(email ? "The email address can't be found." : "The request is invalid.", email ? "500" : "600"),
        { "content-type": XML },
      );
      return;
    }
    send(res, 200, this.poxSuccess(entry.email), { "content-type": XML });
  }

  private poxSuccess(email: string): string {
    const ews = escapeXml(this.ewsUrl);
    const server = escapeXml(new URL(this.ewsUrl).hostname);
    return (
      `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">` +
      `<Response xmlns="${RESPONSE_NS}"><User><DisplayName>${escapeXml(email)}</DisplayName>` +
      `<AutoDiscoverSMTPAddress>${escapeXml(email)}</AutoDiscoverSMTPAddress></User>` +
      `<Account><AccountType>email</AccountType><Action>settings</Action>` +
      `<Protocol><Type>EXCH</Type><Server>${server}</Server><ASUrl>${ews}</ASUrl><EwsUrl>${ews}</EwsUrl><EwsPartnerUrl>${ews}</EwsPartnerUrl></Protocol>` +
      `<Protocol><Type>EXPR</Type><Server>${server}</Server><ASUrl>${ews}</ASUrl><EwsUrl>${ews}</EwsUrl><EwsPartnerUrl>${ews}</EwsPartnerUrl></Protocol>` +
      `</Account></Response></Autodiscover>`
    );
  }

  /** `<Action>redirectAddr</Action>` ([MS-OXDSCLI] 4.2): ask again with this address. */
  private poxRedirect(address: string): string {
    return (
      `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">` +
      `<Response xmlns="${RESPONSE_NS}"><Account><Action>redirectAddr</Action>` +
      `<RedirectAddr>${escapeXml(address)}</RedirectAddr></Account></Response></Autodiscover>`
    );
  }

  private poxError(message: string, code: string): string {
    const id = Math.floor(Math.random() * 1e9).toString();
    return (
      `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">` +
      `<Response><Error Time="${new Date().toISOString().slice(11, 23)}" Id="${id}"><ErrorCode>${code}</ErrorCode>` +
      `<Message>${escapeXml(message)}</Message><DebugData /></Error></Response></Autodiscover>`
    );
  }

  private async json(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    await readBody(req);
    // Both forms: ?Email=…&Protocol=… and /autodiscover/autodiscover.json/v1.0/{email}?Protocol=…
    const pathEmail = /\/autodiscover\/autodiscover\.json\/v1\.0\/([^/?]+)/i.exec(url.pathname)?.[1];
    const email = decodeURIComponent(
      pathEmail ?? url.searchParams.get("Email") ?? url.searchParams.get("email") ?? "",
    ).toLowerCase();
    const protocol = url.searchParams.get("Protocol") ?? url.searchParams.get("protocol") ?? "";
    const fault = pickFault(this.scenario.faults, "autodiscover", email);
    if (
      fault &&
      actOutFault(
        fault,
        res,
        () => JSON.stringify({ Protocol: "EWS", Url: this.ewsUrl }),
        "application/json; charset=utf-8",
      )
    ) {
      this.stats.faultsInjected++;
      return;
    }
    if (protocol.toLowerCase() !== "ews") {
      sendJson(res, 400, {
        ErrorCode: "InvalidProtocol",
        ErrorMessage: `The given protocol value '${protocol}' is invalid. Supported values are 'Rest,ActiveSync,Ews,AutodiscoverV1'.`,
      });
      return;
    }
    const entry = email ? this.directory.find(email) : undefined;
    if (!entry || !email.endsWith(`@${this.scenario.domain}`)) {
      sendJson(res, 404, { ErrorCode: "UserNotFound", ErrorMessage: "The user was not found." });
      return;
    }
    sendJson(res, 200, { Protocol: "EWS", Url: this.ewsUrl });
  }
}

export { REQUEST_NS as AUTODISCOVER_REQUEST_NS, RESPONSE_NS as AUTODISCOVER_RESPONSE_NS };
