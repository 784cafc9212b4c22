/**
 * Which alert conditions hold after a check run, as a pure function of the run, the users' status changes, the email
 * configuration and the rules. A condition is true (open it, with a summary), false (clear it) or unknown (the run
 * cannot tell, e.g. a run that stopped early says nothing about the failing share): unknown leaves it as it is.
 */
import type { AlertKind, AlertRulesDto } from "../../contract/monitoring.js";
import type { CanaryVerdictDto } from "../../contract/canaries.js";
import { failingCount } from "../../contract/categories.js";
import { MAILBOX_PLACE_NAMES, type MailboxPlace } from "../../contract/exchangeOnline.js";

/** "off": the rule is disabled, so an open alert of its kind closes without a resolved message. */
export type Verdict = { holds: true; summary: string } | { holds: false } | "unknown" | "off";

export interface RunFacts {
  state: string;
  done: number;
  /** Users per category this run. */
  counts: Partial<Record<string, number>>;
  /** Addresses of users failing now who were not failing before this run. */
  newlyFailing: string[];
  /** Users failing after this run (all runs so far). */
  failingNow: number;
}

export interface ConfigFacts {
  /** The EWS OAuth service account's sign-in state; null for other access types. */
  serviceAccountState: "signed_in" | "needs_sign_in" | "not_signed_in" | null;
  /** The app-only credential's expiry, when known (certificate: from the certificate; secret: entered with it). */
  credentialExpiry: { credential: "certificate" | "client secret"; expiresAt: string } | null;
}

/** Sidebar reach (reach/service.ts reachFacts): users not opening the sidebar, users whose sign-in fails in it. */
export interface ReachAlertFacts {
  days: number;
  notOpened: number;
  signInFailing: number;
}

const DAY_MS = 86_400_000;

function listed(emails: string[]): string {
  const shown = emails.slice(0, 5).join(", ");
  return emails.length > 5 ? `${shown} and ${emails.length - 5} more` : shown;
}

export function evaluateAlerts(
  rules: AlertRulesDto,
  run: RunFacts,
  config: ConfigFacts,
  now: Date,
  reach: ReachAlertFacts | null = null,
): Record<Exclude<AlertKind, "scope_leak" | "mailboxes_moved">, Verdict> {
  const failing = failingCount(run.counts);
  const completed = run.state === "completed" && run.done > 0;
  const share = completed ? Math.round((failing / run.done) * 1000) / 10 : 0;
  const expiry = config.credentialExpiry;
  const daysLeft = expiry === null ? null : (Date.parse(expiry.expiresAt) - now.getTime()) / DAY_MS;

  const failingShare: Verdict = !completed
    ? "unknown"
    : share >= rules.failingShare.percent
      ? {
          holds: true,
          summary: `${share}% of checked users are failing (${failing} of ${run.done}; threshold ${rules.failingShare.percent}%)`,
        }
      : { holds: false };
  const newlyFailing: Verdict =
    run.newlyFailing.length > 0
      ? { holds: true, summary: `${run.newlyFailing.length} user(s) newly failing: ${listed(run.newlyFailing)}` }
      : run.failingNow === 0 && completed
        ? { holds: false }
        : "unknown";
  const refused: Verdict =
    run.state === "auth_failed"
      ? {
          holds: true,
          summary: `The service account or app was refused; the check run stopped ${run.done === 0 ? "before any user" : `after ${run.done} user(s)`}`,
        }
      : run.state === "completed" || run.state === "cancelled"
        ? { holds: false }
        : "unknown";
  const signIn: Verdict =
    config.serviceAccountState === "needs_sign_in"
      ? { holds: true, summary: "The Microsoft 365 service account must sign in again (Microsoft 365 OAuth (EWS))" }
      : { holds: false };
  const credential: Verdict =
    expiry !== null && daysLeft !== null && daysLeft <= rules.credentialExpiry.days
      ? {
          holds: true,
          summary:
            daysLeft <= 0
              ? `The app-only ${expiry.credential} expired on ${expiry.expiresAt.slice(0, 10)}`
              : `The app-only ${expiry.credential} expires on ${expiry.expiresAt.slice(0, 10)} (in ${Math.ceil(daysLeft)} days)`,
        }
      : { holds: false };

  const reachParts =
    reach === null
      ? []
      : [
          reach.notOpened > 0 &&
            `${reach.notOpened === 1 ? "1 user has" : `${reach.notOpened} users have`} a connected mailbox but ` +
              `${reach.notOpened === 1 ? "has" : "have"} not opened the sidebar in ${reach.days} days`,
          reach.signInFailing > 0 &&
            `sign-in is failing in the sidebar for ${reach.signInFailing === 1 ? "1 user" : `${reach.signInFailing} users`}`,
        ].filter((part): part is string => typeof part === "string");
  const sidebarReach: Verdict =
    reach === null
      ? "unknown"
      : reachParts.length > 0
        ? { holds: true, summary: reachParts.join("; ") }
        : { holds: false };

  const enabled = (on: boolean, verdict: Verdict): Verdict => (on ? verdict : "off");
  return {
    failing_share: enabled(rules.failingShare.enabled, failingShare),
    newly_failing: enabled(rules.newlyFailing.enabled, newlyFailing),
    service_account_refused: enabled(rules.serviceAccountRefused.enabled, refused),
    service_account_sign_in: enabled(rules.serviceAccountSignIn.enabled, signIn),
    credential_expiring: enabled(rules.credentialExpiry.enabled, credential),
    sidebar_reach: enabled(rules.sidebarReach?.enabled ?? false, sidebarReach),
  };
}

/**
 * The canaries' verdict of a run: open while any canary was readable (whatever the settling window says: a leak is
 * not a change still taking effect), resolved once every canary probed is refused again. A run that probed none (no
 * canary, or it stopped before them) tells nothing; with no canary left at all the alert closes quietly.
 */
export function evaluateScopeLeak(
  rules: AlertRulesDto,
  verdicts: readonly CanaryVerdictDto[],
  canaries: number,
): Verdict {
  if (!(rules.scopeLeak?.enabled ?? true) || canaries === 0) return "off";
  if (verdicts.length === 0) return "unknown";
  const leaked = verdicts.filter((verdict) => verdict.verdict === "leaked");
  if (leaked.length === 0)
    return verdicts.every((verdict) => verdict.verdict === "refused") ? { holds: false } : "unknown";
  const first = leaked[0] as CanaryVerdictDto;
  const named = leaked.map((verdict) => `${verdict.address} (${verdict.leaked.join(", ")})`);
  return {
    holds: true,
    summary: `${leaked.length === 1 ? "A mailbox" : `${leaked.length} mailboxes`} outside the scope ${leaked.length === 1 ? "is" : "are"} readable: ${listed(named)}. Likely cause: ${first.cause ?? "unknown"}`,
  };
}

/** One user placement followed to another profile (profiles/follow.ts). */
export interface MovedMailbox {
  where: MailboxPlace;
  toProfileName: string;
}

/**
 * The info alert after a run that moved mailboxes, or null (nothing moved, or the rule is off): one sentence per
 * place and profile, the largest first, e.g. "3 mailboxes moved to Exchange Online; now checked through Cloud".
 */
export function mailboxesMovedSummary(rules: AlertRulesDto, moves: readonly MovedMailbox[]): string | null {
  if (!(rules.mailboxesMoved?.enabled ?? true) || moves.length === 0) return null;
  const groups = new Map<string, { move: MovedMailbox; count: number }>();
  for (const move of moves) {
    const key = `${move.where}\u0000${move.toProfileName}`;
    const group = groups.get(key) ?? { move, count: 0 };
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || a.move.toProfileName.localeCompare(b.move.toProfileName))
    .map(
      ({ move, count }) =>
        `${count === 1 ? "1 mailbox" : `${count} mailboxes`} moved to ${MAILBOX_PLACE_NAMES[move.where]}; now checked through ${move.toProfileName}`,
    )
    .join(". ");
}
