/**
 * Microsoft Graph v1.0, the part the checks use: users, the inbox, one message, rooms. App-only tokens need the
 * right application role; mail endpoints honour RBAC for Applications (the app's mailbox scope) as Exchange Online
 * does; errors carry Graph's JSON shape.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authenticator, Caller } from "../auth.js";
import { Directory, type DirectoryEntry } from "../directory.js";
import { ConcurrencyBudget, actOutFault, delay, latencyFor, pickFault, readBody, sendJson } from "../http.js";
import type { Scenario } from "../scenario.js";
import type { LabStats } from "../stats.js";

export const GRAPH_AUDIENCE = "https://graph.microsoft.com";
const GRAPH_AUDIENCES = [GRAPH_AUDIENCE, "00000003-0000-0000-c000-000000000000"];

const USER_ROLES = ["User.Read.All", "User.ReadBasic.All", "Directory.Read.All", "User.ReadWrite.All"];
const MAIL_ROLES = ["Mail.Read", "Mail.ReadBasic", "Mail.ReadBasic.All", "Mail.ReadWrite"];
const PLACE_ROLES = ["Place.Read.All"];

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

function hasAny(caller: Caller, roles: string[]): boolean {
  if (caller.kind === "appOnly") return roles.some((r) => caller.roles.has(r));
  return false;
}

export class GraphService {
  private readonly budget: ConcurrencyBudget;

  constructor(
    private readonly scenario: Scenario,
    private readonly directory: Directory,
    private readonly auth: Authenticator,
    private readonly stats: LabStats,
  ) {
    this.budget = new ConcurrencyBudget(scenario.throttling.graphBudget);
  }

  private fail(req: IncomingMessage, res: ServerResponse, error: GraphError): void {
    const requestId = randomUUID();
    const clientRequestId =
      typeof req.headers["client-request-id"] === "string" ? req.headers["client-request-id"] : requestId;
    sendJson(
      res,
      error.status,
      {
        error: {
          code: error.code,
          message: error.message,
          innerError: {
            date: new Date().toISOString().slice(0, 19),
            "request-id": requestId,
            "client-request-id": clientRequestId,
          },
        },
      },
      { "request-id": requestId, "client-request-id": clientRequestId, ...error.headers },
    );
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.graphRequests++;
    await readBody(req);
    const url = new URL(req.url ?? "/", "https://graph.invalid");
    const auth = await this.auth.authenticate(req.headers.authorization, GRAPH_AUDIENCES, false);
    if (!auth.ok) {
      const message =
        auth.reason === "missing"
          ? "Access token is empty."
          : auth.reason === "expired_token"
            ? "Lifetime validation failed, the token is expired."
            : "Access token validation failure. Invalid audience or signature.";
      this.fail(
        req,
        res,
        new GraphError(401, "InvalidAuthenticationToken", message, {
          "www-authenticate":
            'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
        }),
      );
      return;
    }
    const { caller } = auth;
    const target = /^\/v1\.0\/users\/([^/]+)/.exec(url.pathname)?.[1];
    const targetAddress = target ? decodeURIComponent(target).toLowerCase() : undefined;
    const fault = pickFault(this.scenario.faults, "graph", targetAddress);
    if (fault && fault !== "throttle") {
      this.stats.faultsInjected++;
      actOutFault(fault, res, () => JSON.stringify({ value: [] }), "application/json; charset=utf-8");
      return;
    }
    const retryAfter = this.scenario.throttling.graphRetryAfterSeconds;
    if (fault === "throttle" || !this.budget.tryAcquire(caller.budgetKey)) {
      this.stats.graphThrottled++;
      this.fail(
        req,
        res,
        new GraphError(
          429,
          "TooManyRequests",
          "Too many requests. Please retry after the time in the Retry-After header.",
          { "retry-after": retryAfter },
        ),
      );
      return;
    }
    try {
      const latency = latencyFor(this.scenario);
      if (latency > 0) await delay(latency);
      if (req.method !== "GET")
        throw new GraphError(405, "Request_BadRequest", "Only GET is supported by the lab's Graph.");
      sendJson(res, 200, this.route(url, caller));
    } catch (error) {
      if (error instanceof GraphError) this.fail(req, res, error);
      else throw error;
    } finally {
      this.budget.release(caller.budgetKey);
    }
  }

  private route(url: URL, caller: Caller): unknown {
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/v1.0/places/microsoft.graph.room") {
      if (!hasAny(caller, PLACE_ROLES))
        throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
      return {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#places/microsoft.graph.room",
        value: this.scenario.rooms.map((room) => ({
          id: this.directory.find(room.email)?.oid,
          emailAddress: room.email,
          displayName: room.displayName,
          bookingType: "standard",
        })),
      };
    }
    const match = /^\/v1\.0\/users\/([^/]+)(\/mailFolders\/inbox|\/messages)?$/i.exec(path);
    if (!match?.[1])
      throw new GraphError(400, "BadRequest", `Resource not found for the segment '${path.split("/").pop() ?? ""}'.`);
    const id = decodeURIComponent(match[1]).toLowerCase();
    const entry = this.directory.find(id) ?? this.directory.byOid.get(id);
    const resource = match[2]?.toLowerCase();
    if (!resource) return this.user(caller, entry, id);
    return this.mail(caller, entry, id, resource, url);
  }

  private user(caller: Caller, entry: DirectoryEntry | undefined, id: string): unknown {
    if (!hasAny(caller, USER_ROLES))
      throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    // Graph resolves users by id or UPN, not by proxy addresses.
    if (!entry || (entry.email !== id && entry.oid !== id)) {
      throw new GraphError(
        404,
        "Request_ResourceNotFound",
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    return {
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
      id: entry.oid,
      displayName: entry.displayName,
      userPrincipalName: entry.email,
      mail: entry.mailbox === "none" ? null : entry.email,
      accountEnabled: entry.mailbox !== "disabled",
    };
  }

  private mail(caller: Caller, entry: DirectoryEntry | undefined, id: string, resource: string, url: URL): unknown {
    if (!hasAny(caller, MAIL_ROLES))
      throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    if (!entry || entry.mailbox === "unresolved")
      throw new GraphError(404, "ErrorInvalidUser", `The requested user '${id}' is invalid.`);
    if (caller.kind === "appOnly" && !Directory.covers(caller.app.mailboxScope, entry)) {
      throw new GraphError(
        403,
        "ErrorAccessDenied",
        "Access to OData is disabled: the application is not in the management scope of this mailbox.",
      );
    }
    switch (entry.mailbox) {
      case "none":
        throw new GraphError(
          404,
          "MailboxNotEnabledForRESTAPI",
          "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        );
      case "moving":
        throw new GraphError(503, "ErrorMailboxMoveInProgress", "The mailbox is being moved. Try again later.", {
          "retry-after": 30,
        });
      case "unavailable":
        throw new GraphError(503, "ErrorMailboxStoreUnavailable", "The mailbox database is temporarily unavailable.", {
          "retry-after": 30,
        });
      default:
        break;
    }
    const mailbox = entry.primarySmtpAddress ?? entry.email;
    if (resource === "/mailfolders/inbox") {
      return {
        "@odata.context": `https://graph.microsoft.com/v1.0/$metadata#users('${mailbox}')/mailFolders/$entity`,
        id: Buffer.from(`lab-folder:${mailbox}:inbox`).toString("base64url"),
        displayName: "Inbox",
        parentFolderId: Buffer.from(`lab-folder:${mailbox}:msgfolderroot`).toString("base64url"),
        childFolderCount: 0,
        unreadItemCount: 0,
        totalItemCount: 1,
        isHidden: false,
      };
    }
    const top = Number(url.searchParams.get("$top") ?? "10");
    const message = {
      id: Buffer.from(`lab-message:${mailbox}:1`).toString("base64url"),
      subject: "Welcome to the Exchange lab",
      receivedDateTime: "2026-11-01T09:00:00Z",
      from: { emailAddress: { name: "Exchange lab", address: `postmaster@${this.scenario.domain}` } },
      isRead: true,
    };
    return {
      "@odata.context": `https://graph.microsoft.com/v1.0/$metadata#users('${mailbox}')/messages`,
      value: top > 0 ? [message] : [],
    };
  }
}
