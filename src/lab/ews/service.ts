/**
 * POST /EWS/Exchange.asmx: authentication, the tenant block, injected faults, the concurrency budget, the
 * ExchangeImpersonation rules (rights, token-and-header rules per mode), then the operation.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Caller } from "../auth.js";
import { Directory, type DirectoryEntry } from "../directory.js";
import { ConcurrencyBudget, actOutFault, delay, latencyFor, pickFault, readBody, send } from "../http.js";
import type { Scenario } from "../scenario.js";
import type { LabStats } from "../stats.js";
import type { DirectoryAuth } from "../windowsAuth.js";
import * as ops from "./operations.js";
import { EwsRequestError, parseEwsRequest, type EwsRequest } from "./request.js";
import {
  EWS_TEXT,
  SERVER_VERSIONS,
  bareResponse,
  errorParts,
  responseMessage,
  soapFault,
  wrappedResponse,
  type EwsError,
  type ServerVersion,
} from "./soap.js";

export const EWS_AUDIENCE = "https://outlook.office365.com";
const XML = "text/xml; charset=utf-8";

type Decision =
  | { ok: true; actingAs: DirectoryEntry | null; address: string }
  | { ok: false; respond: (res: ServerResponse) => void };

/** The error envelope for an operation, in that operation's response shape. */
export function operationError(version: ServerVersion, operation: string, error: EwsError): string {
  switch (operation) {
    case "GetRoomLists":
    case "GetRooms":
      return bareResponse(
        version,
        operation,
        `<m:${operation}Response ResponseClass="Error">${errorParts(error)}</m:${operation}Response>`,
      );
    case "CreateItem":
      return wrappedResponse(
        version,
        operation,
        responseMessage("CreateItemResponseMessage", { ok: false, error, payload: "<m:Items/>" }),
      );
    case "GetFolder":
      return wrappedResponse(
        version,
        operation,
        responseMessage("GetFolderResponseMessage", { ok: false, error, payload: "<m:Folders/>" }),
      );
    default:
      return wrappedResponse(
        version,
        operation,
        responseMessage(`${operation}ResponseMessage`, { ok: false, error, payload: "" }),
      );
  }
}

export class EwsService {
  private readonly version: ServerVersion;
  private readonly budget: ConcurrencyBudget;
  private readonly items = new ops.ItemStore();
  private readonly realm: string;

  constructor(
    private readonly scenario: Scenario,
    private readonly directory: Directory,
    private readonly auth: DirectoryAuth,
    private readonly stats: LabStats,
  ) {
    this.version = SERVER_VERSIONS[scenario.mode];
    // A service account's requests count against its own budget (the caller's budget key is its address).
    const ownBudgets = new Map(
      scenario.serviceAccounts.flatMap((account) =>
        account.ewsBudget === undefined ? [] : [[account.email, account.ewsBudget] as const],
      ),
    );
    this.budget = new ConcurrencyBudget(scenario.throttling.budget, (key) => ownBudgets.get(key));
    this.realm = `mail.${scenario.domain}`;
  }

  private unauthorized(res: ServerResponse, detail: string, tokenError: boolean, challenges?: string[]): void {
    res.writeHead(401, {
      "www-authenticate": challenges ?? this.auth.challenges(this.realm, tokenError),
      "x-ms-diagnostics": `2000001;reason="${detail}";error_category="invalid_token"`,
      "content-length": 0,
    });
    res.end();
  }

  private fault(error: EwsError, faultcode?: string): (res: ServerResponse) => void {
    return (res) => send(res, 500, soapFault(error, faultcode), { "content-type": XML });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.ewsRequests++;
    const online = this.scenario.mode === "online";
    // As IIS does, an anonymous request of any method is answered 401 with the methods the directory offers.
    const authResult = await this.auth.authenticate(req, [EWS_AUDIENCE], this.realm);
    const bodyText = await readBody(req);
    if (!authResult.ok) {
      this.unauthorized(res, authResult.detail, authResult.tokenError, authResult.challenges);
      return;
    }
    if (req.method !== "POST") {
      send(res, 405, "EWS accepts SOAP requests by POST only.", {
        allow: "POST",
        "content-type": "text/plain; charset=utf-8",
      });
      return;
    }
    const { caller } = authResult;
    this.stats.trackEws(caller.budgetKey, res);
    if (caller.kind === "delegated" && !caller.scopes.has("EWS.AccessAsUser.All")) {
      this.unauthorized(res, "The token has no EWS.AccessAsUser.All scope.", true);
      return;
    }
    if (caller.kind === "appOnly" && !caller.roles.has("full_access_as_app")) {
      this.unauthorized(res, "The token has no full_access_as_app role.", true);
      return;
    }
    if (online && this.scenario.ewsBlocked) {
      send(res, 403, "EWS is blocked for this tenant.", {
        "content-type": "text/plain; charset=utf-8",
        "x-ms-diagnostics":
          '2000003;reason="Exchange Web Services are blocked for this organization (EwsEnabled is False).";error_category="access_denied"',
      });
      return;
    }
    const appId =
      caller.kind === "appOnly" ? caller.app.clientId : caller.kind === "delegated" ? caller.clientId : null;
    const allowed = this.scenario.ewsAllowedAppIds;
    if (online && allowed !== undefined && (appId === null || !allowed.includes(appId.toLowerCase()))) {
      send(res, 403, "The application is not allowed to use EWS.", {
        "content-type": "text/plain; charset=utf-8",
        "x-ms-diagnostics":
          '2000003;reason="The application is not in the organization\'s EwsAllowedAppIDs (EwsApplicationAccessPolicy EnforceAllowList).";error_category="access_denied"',
      });
      return;
    }
    let request: EwsRequest;
    try {
      request = parseEwsRequest(bodyText);
    } catch (error) {
      const text = error instanceof EwsRequestError ? error.message : EWS_TEXT.ErrorSchemaValidation;
      send(res, 500, soapFault({ code: "ErrorSchemaValidation", text }, "s:Client"), { "content-type": XML });
      return;
    }
    const anchor =
      typeof req.headers["x-anchormailbox"] === "string" ? req.headers["x-anchormailbox"].toLowerCase() : undefined;
    const target = request.impersonation.kind === "address" ? request.impersonation.value : this.ownAddress(caller);
    if (anchor !== undefined) {
      this.stats.ewsAnchored++;
      if (anchor !== target) this.stats.ewsAnchorMismatches++;
    }
    const faultKind = pickFault(this.scenario.faults, "ews", target);
    if (faultKind && faultKind !== "throttle") {
      this.stats.faultsInjected++;
      actOutFault(faultKind, res, () => ops.getFolder(this.context(null, target ?? ""), {}), XML);
      return;
    }
    if (faultKind === "throttle" || !this.budget.tryAcquire(caller.budgetKey)) {
      this.stats.ewsBusy++;
      this.answerBusy(res, request.operation);
      return;
    }
    try {
      const latency = latencyFor(this.scenario);
      if (latency > 0) await delay(latency);
      this.answer(res, request, caller, anchor);
    } finally {
      this.budget.release(caller.budgetKey);
    }
  }

  private ownAddress(caller: Caller): string | undefined {
    return caller.kind === "appOnly" ? undefined : caller.account.email;
  }

  private answerBusy(res: ServerResponse, operation: string): void {
    const { response, backOffMs } = this.scenario.throttling;
    if (response === "http503") {
      send(res, 503, "Service Unavailable", {
        "content-type": "text/plain; charset=utf-8",
        "retry-after": Math.ceil(backOffMs / 1000),
      });
      return;
    }
    const error: EwsError = {
      code: "ErrorServerBusy",
      text: EWS_TEXT.ErrorServerBusy,
      values: [["BackOffMilliseconds", String(backOffMs)]],
    };
    const known = (ops.OPERATIONS as readonly string[]).includes(operation);
    if (!known) {
      this.fault(error)(res);
      return;
    }
    send(res, 200, operationError(this.version, operation, error), { "content-type": XML });
  }

  private context(actingAs: DirectoryEntry | null, address: string): ops.OperationContext {
    return { version: this.version, directory: this.directory, items: this.items, actingAs, actingAddress: address };
  }

  private answer(res: ServerResponse, request: EwsRequest, caller: Caller, anchor: string | undefined): void {
    if (!(ops.OPERATIONS as readonly string[]).includes(request.operation)) {
      this.fault(
        {
          code: "ErrorInvalidRequest",
          text: `${EWS_TEXT.ErrorInvalidRequest} The operation ${request.operation} is not supported by this server.`,
        },
        "s:Client",
      )(res);
      return;
    }
    const decision = this.decide(request, caller);
    if (!decision.ok) {
      decision.respond(res);
      return;
    }
    const ctx = this.context(decision.actingAs, decision.address);
    let body: string;
    switch (request.operation) {
      case "GetFolder":
        body = ops.getFolder(ctx, request.body);
        break;
      case "CreateItem":
        body = ops.createItem(ctx, request.body);
        break;
      case "DeleteItem":
        body = ops.deleteItem(ctx, request.body);
        break;
      case "GetRoomLists":
        body = ops.getRoomLists(ctx);
        break;
      case "GetRooms":
        body = ops.getRooms(ctx, request.body);
        break;
      default:
        body = ops.resolveNames(ctx, request.body);
    }
    send(res, 200, body, {
      "content-type": XML,
      "x-calculatedbetarget": `${anchor ?? decision.address}`.replace(/@.*/, `.${this.realm}`),
    });
  }

  /** Which mailbox the request acts as, or the refusal Exchange gives. */
  private decide(request: EwsRequest, caller: Caller): Decision {
    const online = this.scenario.mode === "online";
    const header = request.impersonation;
    if (caller.kind === "appOnly") {
      if (header.kind === "none") {
        return {
          ok: false,
          respond: this.fault({
            code: "ErrorInvalidExchangeImpersonationHeaderData",
            text: EWS_TEXT.HeaderMustBePresent,
          }),
        };
      }
    } else if (header.kind === "none") {
      return {
        ok: true,
        actingAs: caller.account.mailbox === "none" ? null : caller.account,
        address: caller.account.email,
      };
    } else if (caller.kind === "delegated" && online) {
      // Since February 2025 Exchange Online refuses delegated tokens that try to impersonate.
      return {
        ok: false,
        respond: this.fault({
          code: "ErrorInvalidExchangeImpersonationHeaderData",
          text: EWS_TEXT.HeaderMustNotBePresent,
        }),
      };
    }
    if (header.kind === "invalid") {
      return {
        ok: false,
        respond: this.fault({
          code: "ErrorInvalidExchangeImpersonationHeaderData",
          text: `${EWS_TEXT.ErrorInvalidExchangeImpersonationHeaderData} ${header.reason}.`,
        }),
      };
    }
    if (header.kind === "sid") {
      return {
        ok: false,
        respond: this.fault({
          code: "ErrorInvalidExchangeImpersonationHeaderData",
          text: `${EWS_TEXT.ErrorInvalidExchangeImpersonationHeaderData} The SID does not resolve to an account.`,
        }),
      };
    }
    const scope = caller.kind === "appOnly" ? "all" : (caller.account.serviceAccount?.impersonation ?? "none");
    if (scope === "none") {
      return {
        ok: false,
        respond: this.fault({ code: "ErrorImpersonationDenied", text: EWS_TEXT.ErrorImpersonationDenied }),
      };
    }
    const target = this.directory.find(header.value);
    if (!target || (target.kind === "serviceAccount" && target.mailbox === "none")) {
      const error: EwsError = {
        code: "ErrorNonExistentMailbox",
        text: EWS_TEXT.ErrorNonExistentMailbox,
        values: [["SmtpAddress", header.value]],
      };
      return {
        ok: false,
        respond: (res) =>
          send(res, 200, operationError(this.version, request.operation, error), { "content-type": XML }),
      };
    }
    if (target.mailbox === "unresolved") {
      return {
        ok: false,
        respond: this.fault({ code: "ErrorImpersonationFailed", text: EWS_TEXT.ErrorImpersonationFailed }),
      };
    }
    if (caller.kind === "appOnly") {
      if (!Directory.covers(caller.app.mailboxScope, target)) {
        const error: EwsError = {
          code: "ErrorAccessDenied",
          text: `${EWS_TEXT.ErrorAccessDenied} The application is not allowed to access this mailbox.`,
        };
        return {
          ok: false,
          respond: (res) =>
            send(res, 200, operationError(this.version, request.operation, error), { "content-type": XML }),
        };
      }
    } else if (!Directory.covers(scope, target)) {
      return {
        ok: false,
        respond: this.fault({ code: "ErrorImpersonateUserDenied", text: EWS_TEXT.ErrorImpersonateUserDenied }),
      };
    }
    if (online && this.scenario.users.find((u) => u.email === target.email)?.ewsEnabled === false) {
      return {
        ok: false,
        respond: (res) =>
          send(res, 403, "EWS is disabled for this mailbox.", {
            "content-type": "text/plain; charset=utf-8",
            "x-ms-diagnostics":
              '2000003;reason="Exchange Web Services are disabled for this mailbox (CASMailbox EwsEnabled is False).";error_category="access_denied"',
          }),
      };
    }
    if (online && target.mailbox === "kiosk") {
      return {
        ok: false,
        respond: (res) =>
          send(res, 403, "EWS is not available for this mailbox's licence.", {
            "content-type": "text/plain; charset=utf-8",
            "x-ms-diagnostics":
              '2000003;reason="EWS access is blocked for F1, F3 and kiosk licences.";error_category="access_denied"',
          }),
      };
    }
    return { ok: true, actingAs: target, address: header.value };
  }
}
