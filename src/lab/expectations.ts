/**
 * The outcome the lab gives for each user of a scenario, machine-readable for product tests ("user X must end up
 * in category Y"). The lab's own tests check these against its live answers, so they cannot drift apart.
 */
import { Directory } from "./directory.js";
import { MAIL_ROLES, reaches } from "./graph/permissions.js";
import type { Scenario } from "./scenario.js";

export interface ExpectedEwsOutcome {
  httpStatus: number;
  /** EWS ResponseCode (in a response message or a SOAP fault), absent for plain HTTP refusals. */
  responseCode?: string;
  /** True when Exchange answers with a SOAP fault (HTTP 500) rather than a response message. */
  soapFault?: boolean;
  /** ErrorNonPrimarySmtpAddress carries the address to use instead. */
  primarySmtpAddress?: string;
}

export type EwsCredential =
  | { kind: "basic" | "ntlm"; serviceAccount: string }
  | { kind: "delegated"; serviceAccount: string }
  | { kind: "appOnly"; appClientId: string };

const fault = (responseCode: string): ExpectedEwsOutcome => ({ httpStatus: 500, responseCode, soapFault: true });
const message = (responseCode: string): ExpectedEwsOutcome => ({ httpStatus: 200, responseCode });

/** GetFolder(inbox) with ExchangeImpersonation of `user`, for the given credential, without latency or faults. */
export function expectedEwsOutcome(scenario: Scenario, credential: EwsCredential, user: string): ExpectedEwsOutcome {
  const directory = new Directory(scenario);
  const online = scenario.mode === "online";
  if (
    (credential.kind === "basic" || credential.kind === "ntlm") &&
    (online || !scenario.ewsAuth.includes(credential.kind))
  )
    return { httpStatus: 401 };
  const account = credential.kind === "appOnly" ? undefined : directory.find(credential.serviceAccount);
  const app = credential.kind === "appOnly" ? directory.appsByClientId.get(credential.appClientId) : undefined;
  if (credential.kind === "appOnly" ? !app : !account) return { httpStatus: 401 };
  if (credential.kind === "appOnly" && !app?.roles["https://outlook.office365.com"]?.includes("full_access_as_app"))
    return { httpStatus: 401 };
  if (online && scenario.ewsBlocked) return { httpStatus: 403 };
  if (credential.kind === "delegated" && online) return fault("ErrorInvalidExchangeImpersonationHeaderData");
  const scope = app ? "all" : (account?.serviceAccount?.impersonation ?? "none");
  if (scope === "none") return fault("ErrorImpersonationDenied");
  const target = directory.find(user);
  if (!target || (target.kind === "serviceAccount" && target.mailbox === "none"))
    return message("ErrorNonExistentMailbox");
  if (target.mailbox === "unresolved") return fault("ErrorImpersonationFailed");
  if (app && !Directory.covers(app.mailboxScope, target)) return message("ErrorAccessDenied");
  if (!app && !Directory.covers(scope, target)) return fault("ErrorImpersonateUserDenied");
  if (online && target.mailbox === "kiosk") return { httpStatus: 403 };
  if (Directory.inCloud(target)) return message("ErrorNonExistentMailbox");
  switch (target.mailbox) {
    case "ok":
    case "kiosk":
      return message("NoError");
    case "none":
      return message("ErrorNonExistentMailbox");
    case "disabled":
      return message("ErrorAccountDisabled");
    case "moving":
      return message("ErrorMailboxMoveInProgress");
    case "unavailable":
      return message("ErrorMailboxStoreUnavailable");
    case "alias":
      return {
        ...message("ErrorNonPrimarySmtpAddress"),
        primarySmtpAddress: target.primarySmtpAddress ?? target.email,
      };
  }
}

export interface ExpectedGraphOutcome {
  httpStatus: number;
  /** Graph error code, absent on success. */
  code?: string;
}

/** GET /users/{user}/mailFolders/inbox with an app-only token of `appClientId`. */
export function expectedGraphOutcome(scenario: Scenario, appClientId: string, user: string): ExpectedGraphOutcome {
  const directory = new Directory(scenario);
  const app = directory.appsByClientId.get(appClientId);
  if (!app) return { httpStatus: 401, code: "InvalidAuthenticationToken" };
  const roles = [...(app.roles["https://graph.microsoft.com"] ?? []), ...(app.tenantWideConsent ?? [])];
  if (!roles.some((r) => MAIL_ROLES.includes(r))) {
    return { httpStatus: 403, code: "ErrorAccessDenied" };
  }
  const target = directory.find(user);
  if (!target || target.mailbox === "unresolved") return { httpStatus: 404, code: "ErrorInvalidUser" };
  if (!reaches(app, "mail", target)) return { httpStatus: 403, code: "ErrorAccessDenied" };
  if (target.mailbox === "none" || Directory.onPremises(target))
    return { httpStatus: 404, code: "MailboxNotEnabledForRESTAPI" };
  if (target.mailbox === "moving") return { httpStatus: 503, code: "ErrorMailboxMoveInProgress" };
  if (target.mailbox === "unavailable") return { httpStatus: 503, code: "ErrorMailboxStoreUnavailable" };
  return { httpStatus: 200 };
}

/** Hybrid: what the on-premises Autodiscover POX answers for `user`: a redirect, settings, or an error. */
export function expectedAutodiscoverAnswer(
  scenario: Scenario,
  user: string,
): { action: "redirectAddr"; redirectAddr: string } | { action: "settings" } | { action: "error" } {
  const directory = new Directory(scenario);
  const entry = directory.find(user);
  if (!entry || entry.mailbox === "none" || entry.mailbox === "unresolved") return { action: "error" };
  if (!Directory.inCloud(entry)) return { action: "settings" };
  const routing = directory.routingAddress(entry);
  return routing === null ? { action: "error" } : { action: "redirectAddr", redirectAddr: routing };
}
