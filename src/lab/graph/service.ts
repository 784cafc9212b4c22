/**
 * Microsoft Graph v1.0, the part the checks use: users (by UPN or id, or by proxy address with $filter), the inbox,
 * the calendar, one message, a draft created and deleted, rooms, the app's own appRoleAssignments. App-only tokens
 * need the right application role; mailbox endpoints honour RBAC for Applications per permission (mail and calendar
 * scopes) unless a tenant-wide consent reaches every mailbox, as Exchange Online does; a mailbox may answer 429
 * MailboxConcurrency with a fractional Retry-After; errors carry Graph's JSON shape.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authenticator, Caller } from "../auth.js";
import { Directory, type DirectoryEntry } from "../directory.js";
import { ConcurrencyBudget, actOutFault, delay, latencyFor, pickFault, readBody, sendJson } from "../http.js";
import type { Scenario } from "../scenario.js";
import type { LabStats } from "../stats.js";
import {
  CALENDAR_ROLES,
  MAIL_ROLES,
  MAIL_WRITE_ROLES,
  PLACE_ROLES,
  USER_ROLES,
  appRoleAssignments,
  hasAny,
  reaches,
} from "./permissions.js";

export const GRAPH_AUDIENCE = "https://graph.microsoft.com";
const GRAPH_AUDIENCES = [GRAPH_AUDIENCE, "00000003-0000-0000-c000-000000000000"];

/** The id the lab gives Microsoft Graph's service principal in the tenant. */
const GRAPH_SERVICE_PRINCIPAL_ID = "8c2d5b7e-3f41-4a96-b0d8-1e6f9a2c4b73";

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

export class GraphService {
  private readonly budget: ConcurrencyBudget;
  /** Graph requests each throttled mailbox has answered with 429 so far. */
  private readonly mailboxThrottles = new Map<string, number>();

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
    this.stats.trackGraph(caller.budgetKey, res);
    const target = /^\/v1\.0\/users\/([^/]+)/.exec(url.pathname)?.[1];
    const targetAddress = target ? decodeURIComponent(target).toLowerCase() : undefined;
    const fault = pickFault(this.scenario.faults, "graph", targetAddress);
    if (fault && fault !== "throttle") {
      this.stats.faultsInjected++;
      actOutFault(fault, res, () => JSON.stringify({ value: [] }), "application/json; charset=utf-8");
      return;
    }
    const mailboxRequest = /^\/v1\.0\/users\/[^/]+\/(mailFolders|messages|calendar)/i.test(url.pathname);
    if (mailboxRequest && targetAddress !== undefined && this.mailboxThrottled(req, res, targetAddress)) return;
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
      const draft = /^\/v1\.0\/users\/([^/]+)\/messages(?:\/([^/]+))?$/i.exec(url.pathname);
      if (draft?.[1] && (req.method === "POST" || req.method === "DELETE")) {
        const answer = this.draft(caller, decodeURIComponent(draft[1]).toLowerCase(), req.method, draft[2]);
        if (answer === null) {
          res.writeHead(204);
          res.end();
        } else sendJson(res, 201, answer);
        return;
      }
      if (req.method !== "GET")
        throw new GraphError(405, "Request_BadRequest", "Only GET, and POST/DELETE of messages, are supported.");
      // Links (@odata.nextLink) point back at the host the request reached, as Graph's point at graph.microsoft.com.
      const origin = `https://${req.headers.host ?? "graph.microsoft.com"}`;
      sendJson(res, 200, this.route(url, caller, origin));
    } catch (error) {
      if (error instanceof GraphError) this.fail(req, res, error);
      else throw error;
    } finally {
      this.budget.release(caller.budgetKey);
    }
  }

  /** A mailbox the scenario throttles answers its first `times` mailbox requests with 429 MailboxConcurrency. */
  private mailboxThrottled(req: IncomingMessage, res: ServerResponse, address: string): boolean {
    const entry = this.directory.find(address);
    const user = this.scenario.users.find((u) => u.email === entry?.email);
    const throttle = user?.graphThrottled;
    if (throttle === undefined) return false;
    const answered = this.mailboxThrottles.get(user!.email) ?? 0;
    if (answered >= throttle.times) return false;
    this.mailboxThrottles.set(user!.email, answered + 1);
    this.stats.graphThrottled++;
    this.fail(
      req,
      res,
      new GraphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", {
        "retry-after": String(throttle.retryAfterSeconds),
      }),
    );
    return true;
  }

  private route(url: URL, caller: Caller, origin: string): unknown {
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/v1.0/users" && !url.searchParams.has("$filter")) return this.users(caller, url, origin);
    if (path === "/v1.0/users") return this.usersByProxyAddress(caller, url.searchParams.get("$filter") ?? "");
    const assignments = /^\/v1\.0\/servicePrincipals\/([^/]+)\/appRoleAssignments$/i.exec(path)?.[1];
    if (assignments !== undefined) {
      // The lab lets an app read its own assignments; Entra also needs Application.Read.All for that.
      if (caller.kind !== "appOnly" || decodeURIComponent(assignments) !== caller.app.clientId)
        throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
      return {
        "@odata.context": `https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('${caller.app.clientId}')/appRoleAssignments`,
        value: appRoleAssignments(caller.app, GRAPH_SERVICE_PRINCIPAL_ID),
      };
    }
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
    const match = /^\/v1\.0\/users\/([^/]+)(\/mailFolders\/inbox|\/messages|\/calendar)?$/i.exec(path);
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
    // Graph resolves users by id or UPN, not by proxy addresses: an alias is only one of its proxyAddresses.
    if (!entry || entry.mailbox === "alias" || (entry.email !== id && entry.oid !== id)) {
      throw new GraphError(
        404,
        "Request_ResourceNotFound",
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    return { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity", ...this.userJson(entry) };
  }

  private userJson(entry: DirectoryEntry): Record<string, unknown> {
    const aliases = this.scenario.users.filter((u) => u.primarySmtpAddress === entry.email).map((u) => u.email);
    return {
      id: entry.oid,
      displayName: entry.displayName,
      userPrincipalName: entry.email,
      mail: entry.mailbox === "none" ? null : entry.email,
      proxyAddresses: [`SMTP:${entry.email}`, ...aliases.map((alias) => `smtp:${alias}`)],
      accountEnabled: entry.mailbox !== "disabled",
      // Graph answers null, not false, for a user created in the cloud.
      onPremisesSyncEnabled: entry.synced ? true : null,
    };
  }

  /**
   * GET /users?$select=…&$top=n: the directory's users page by page, each page linking the next with @odata.nextLink
   * (an opaque $skiptoken, as Graph does). Rooms are places here, not users; $select keeps only the named properties.
   */
  private users(caller: Caller, url: URL, origin: string): unknown {
    if (!hasAny(caller, USER_ROLES))
      throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    const top = Math.min(Math.max(Number.parseInt(url.searchParams.get("$top") ?? "100", 10) || 100, 1), 999);
    const token = url.searchParams.get("$skiptoken");
    const skip = token === null ? 0 : Number.parseInt(Buffer.from(token, "base64url").toString("utf8"), 10);
    if (!Number.isInteger(skip) || skip < 0)
      throw new GraphError(400, "Request_BadRequest", "The $skiptoken is not valid.");
    const entries = [...this.directory.byEmail.values()].filter((e) => e.kind !== "room" && e.mailbox !== "alias");
    const select = (url.searchParams.get("$select") ?? "").split(",").filter((name) => name !== "");
    const page = entries.slice(skip, skip + top).map((entry) => {
      const json = this.userJson(entry);
      return select.length === 0 ? json : Object.fromEntries(select.map((name) => [name, json[name] ?? null]));
    });
    const next = skip + top < entries.length ? new URL(url.href) : null;
    next?.searchParams.set("$skiptoken", Buffer.from(String(skip + top)).toString("base64url"));
    return {
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
      value: page,
      ...(next === null ? {} : { "@odata.nextLink": `${origin}${next.pathname}${next.search}` }),
    };
  }

  /** GET /users?$filter=proxyAddresses/any(a:a eq 'smtp:{address}'): the user behind an alias. */
  private usersByProxyAddress(caller: Caller, filter: string): unknown {
    if (!hasAny(caller, USER_ROLES))
      throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    const address = /^proxyAddresses\/any\((\w+):\1 eq '(?:smtp|SMTP):([^']+)'\)$/.exec(filter.trim())?.[2];
    if (address === undefined)
      throw new GraphError(400, "Request_UnsupportedQuery", "The lab filters users by proxyAddresses eq only.");
    const entry = this.directory.find(address);
    const owner = entry?.primarySmtpAddress === undefined ? entry : this.directory.find(entry.primarySmtpAddress);
    return {
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
      value: owner === undefined || owner.kind === "room" ? [] : [this.userJson(owner)],
    };
  }

  /** POST …/messages (a draft; needs Mail.ReadWrite) answers the message, DELETE …/messages/{id} answers null. */
  private draft(caller: Caller, id: string, method: "POST" | "DELETE", messageId?: string): unknown {
    if (!hasAny(caller, MAIL_WRITE_ROLES))
      throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    const entry = this.mailbox(caller, this.directory.find(id), id, MAIL_WRITE_ROLES, "mail");
    if (method === "DELETE") {
      if (messageId === undefined) throw new GraphError(405, "Request_BadRequest", "DELETE needs a message id.");
      return null;
    }
    const mailbox = entry.primarySmtpAddress ?? entry.email;
    return {
      "@odata.context": `https://graph.microsoft.com/v1.0/$metadata#users('${mailbox}')/messages/$entity`,
      id: Buffer.from(`lab-draft:${mailbox}:${randomUUID()}`).toString("base64url"),
      isDraft: true,
    };
  }

  /** The mailbox behind `id` once the app's permission and scope allow it, or the error Graph answers. */
  private mailbox(
    caller: Caller,
    entry: DirectoryEntry | undefined,
    id: string,
    roles: readonly string[],
    scope: "mail" | "calendar",
  ): DirectoryEntry {
    if (!hasAny(caller, roles))
      throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    if (!entry || entry.mailbox === "unresolved")
      throw new GraphError(404, "ErrorInvalidUser", `The requested user '${id}' is invalid.`);
    if (caller.kind === "appOnly" && !reaches(caller.app, scope, entry)) {
      throw new GraphError(
        403,
        "ErrorAccessDenied",
        "Access to OData is disabled: the application is not in the management scope of this mailbox.",
      );
    }
    // Hybrid: Exchange Online holds no mailbox for a user whose mailbox is still on-premises.
    if (Directory.onPremises(entry))
      throw new GraphError(
        404,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
      );
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
    return entry;
  }

  private mail(caller: Caller, found: DirectoryEntry | undefined, id: string, resource: string, url: URL): unknown {
    // Scenarios from before calendars were modelled grant the calendar with a mail role.
    const calendarRoles = [...CALENDAR_ROLES, ...MAIL_ROLES];
    const entry =
      resource === "/calendar"
        ? this.mailbox(caller, found, id, calendarRoles, "calendar")
        : this.mailbox(caller, found, id, MAIL_ROLES, "mail");
    const mailbox = entry.primarySmtpAddress ?? entry.email;
    if (resource === "/calendar") {
      return {
        "@odata.context": `https://graph.microsoft.com/v1.0/$metadata#users('${mailbox}')/calendar/$entity`,
        id: Buffer.from(`lab-calendar:${mailbox}`).toString("base64url"),
        name: "Calendar",
        canEdit: true,
      };
    }
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
