/**
 * Changes to a running lab, so a developer or a test can stage a failure and fix it again: a user's mailbox state,
 * an account's password, a revoked (or restored) refresh token, an app-only permission consented tenant-wide (or
 * removed again), and in a hybrid scenario a mailbox moved between the on-premises server and Exchange Online
 * (started: the mailbox answers ErrorMailboxMoveInProgress on both sides; completed: it lives on the other side).
 * It edits the directory the handlers read on every
 * request and the scenario the front page shows. Reached only over loopback (POST /lab/control).
 */
import type { Directory, DirectoryEntry } from "./directory.js";
import {
  MAILBOX_LOCATIONS,
  MAILBOX_STATES,
  type MailboxLocation,
  type MailboxState,
  type Scenario,
} from "./scenario.js";

export type ControlAction =
  | { action: "mailbox"; user: string; state: MailboxState }
  | { action: "password"; account: string; password: string }
  | { action: "refresh"; account: string; refresh: "ok" | "revoked" }
  | { action: "move"; user: string; to: MailboxLocation; stage: MoveStage }
  | { action: "consent"; app: string; permission: string; consent: "granted" | "removed" };

export const MOVE_STAGES = ["complete", "start"] as const;
export type MoveStage = (typeof MOVE_STAGES)[number];

export class ControlError extends Error {}

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value.trim() === "") throw new ControlError(`${field} must be a non-empty string`);
  return value.trim();
}

export function parseControl(body: Record<string, unknown>): ControlAction {
  switch (body.action) {
    case "mailbox": {
      const state = text(body, "state");
      if (!(MAILBOX_STATES as readonly string[]).includes(state)) {
        throw new ControlError(`state must be one of ${MAILBOX_STATES.join(", ")}`);
      }
      return { action: "mailbox", user: text(body, "user").toLowerCase(), state: state as MailboxState };
    }
    case "password":
      return { action: "password", account: text(body, "account").toLowerCase(), password: text(body, "password") };
    case "refresh": {
      const refresh = text(body, "refresh");
      if (refresh !== "ok" && refresh !== "revoked") throw new ControlError("refresh must be ok or revoked");
      return { action: "refresh", account: text(body, "account").toLowerCase(), refresh };
    }
    case "move": {
      const to = text(body, "to");
      if (!(MAILBOX_LOCATIONS as readonly string[]).includes(to)) {
        throw new ControlError(`to must be one of ${MAILBOX_LOCATIONS.join(", ")}`);
      }
      const stage = body.stage === undefined || body.stage === "" ? "complete" : text(body, "stage");
      if (!(MOVE_STAGES as readonly string[]).includes(stage)) {
        throw new ControlError(`stage must be one of ${MOVE_STAGES.join(", ")}`);
      }
      return {
        action: "move",
        user: text(body, "user").toLowerCase(),
        to: to as MailboxLocation,
        stage: stage as MoveStage,
      };
    }
    case "consent": {
      const consent = text(body, "consent");
      if (consent !== "granted" && consent !== "removed") throw new ControlError("consent must be granted or removed");
      const permission = text(body, "permission");
      if (!/^[A-Za-z]+\.[A-Za-z.]+$/.test(permission))
        throw new ControlError("permission must be a Graph permission name");
      return { action: "consent", app: text(body, "app").toLowerCase(), permission, consent };
    }
    default:
      throw new ControlError("action must be mailbox, password, refresh, move or consent");
  }
}

/** Applies the change; answers what it changed, in words for the front page and the JSON answer. */
export function applyControl(directory: Directory, scenario: Scenario, change: ControlAction): string {
  if (change.action === "consent") return applyConsent(scenario, change);
  const address = change.action === "mailbox" || change.action === "move" ? change.user : change.account;
  const entry = directory.find(address);
  if (!entry || entry.kind === "room") throw new ControlError(`no user or service account ${address} in this lab`);
  const user = scenario.users.find((candidate) => candidate.email === entry.email);
  const account = scenario.serviceAccounts.find((candidate) => candidate.email === entry.email);
  switch (change.action) {
    case "mailbox":
      if (!user) throw new ControlError(`${address} is not a user (service accounts keep their mailbox)`);
      entry.mailbox = change.state;
      user.mailbox = change.state;
      return `${entry.email}: mailbox is now ${change.state}`;
    case "move":
      if (!user) throw new ControlError(`${address} is not a user (service accounts stay where they are)`);
      return applyMove(scenario, entry, user, change);
    case "password":
      entry.password = change.password;
      if (user) user.password = change.password;
      if (account) account.password = change.password;
      return `${entry.email}: password changed`;
    case "refresh":
      entry.refresh = change.refresh;
      if (user) user.refresh = change.refresh;
      if (account) account.refresh = change.refresh;
      return `${entry.email}: refresh tokens ${change.refresh === "revoked" ? "revoked" : "work again"}`;
  }
}

const PLACES: Record<MailboxLocation, string> = { onprem: "the on-premises server", cloud: "Exchange Online" };

/** A move between the two sides of a hybrid organization: started (in progress), or completed. */
function applyMove(
  scenario: Scenario,
  entry: DirectoryEntry,
  user: Scenario["users"][number],
  change: Extract<ControlAction, { action: "move" }>,
): string {
  if (scenario.hybrid === undefined) throw new ControlError("mailboxes move only in a hybrid scenario");
  if (!entry.synced)
    throw new ControlError(`${entry.email} is a cloud-only user: it has no on-premises side to move to`);
  const movable = entry.mailbox === "ok" || entry.mailbox === "moving";
  if (!movable) throw new ControlError(`${entry.email}: a mailbox in state ${entry.mailbox} cannot be moved`);
  if (change.stage === "start") {
    if (entry.location === change.to)
      throw new ControlError(`${entry.email}: the mailbox is already in ${PLACES[change.to]}`);
    entry.mailbox = "moving";
    user.mailbox = "moving";
    return `${entry.email}: the move to ${PLACES[change.to]} is in progress`;
  }
  if (entry.location === change.to && entry.mailbox !== "moving")
    throw new ControlError(`${entry.email}: the mailbox is already in ${PLACES[change.to]}`);
  entry.location = change.to;
  user.location = change.to;
  entry.mailbox = "ok";
  user.mailbox = "ok";
  return `${entry.email}: the mailbox now lives in ${PLACES[change.to]}`;
}

/**
 * A Graph application permission consented tenant-wide in Entra ID (or removed): what an admin clicking "Grant admin
 * consent" does. Tokens issued from now on carry it, and Graph grants it at once, on top of the RBAC scope.
 */
function applyConsent(scenario: Scenario, change: Extract<ControlAction, { action: "consent" }>): string {
  const app = scenario.apps.appOnly.find((candidate) => candidate.clientId.toLowerCase() === change.app);
  if (!app) throw new ControlError(`no app-only registration ${change.app} in this lab`);
  const consented = new Set(app.tenantWideConsent ?? []);
  if (change.consent === "granted") consented.add(change.permission);
  else consented.delete(change.permission);
  app.tenantWideConsent = [...consented];
  return `${app.displayName}: ${change.permission} ${change.consent === "granted" ? "consented tenant-wide" : "no longer consented tenant-wide"}`;
}
