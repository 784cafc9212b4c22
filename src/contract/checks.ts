/**
 * Wire types of "Check Users Exchange Impersonated Access": starting a check run, reading its state, its per-user
 * results and its progress stream. Types, and the few constants both sides read (the settling window, the
 * scope-related categories), shared by the pane and the backend.
 */
import type { AccessTypeId, EwsAuthentication } from "./accessTypes.js";
import type { EmailConfigInput } from "./api.js";
import { categoriesWhere, type CategoryId, type Severity } from "./categories.js";
import type { MailboxPlace } from "./exchangeOnline.js";
import type { CheckRunTrigger } from "./monitoring.js";

export type CheckDepth = "read" | "full";

/** All of the organization's users, or the listed ones (org user ids). */
export type CheckScope = { all: true } | { userIds: string[] };

/**
 * - preflight: checking the URL, TLS, authentication and the service account's own mailbox before any user;
 * - running: users being checked;
 * - completed: every user in scope has a result;
 * - cancelled: an admin cancelled it; results recorded until then stay readable;
 * - auth_failed: the service account or app was refused (a `stopsRun` category: HTTP 401, a token that cannot be
 *   refreshed, a sign-in the server does not offer, an Entra refusal), at preflight or mid-run; stopped at once;
 * - preflight_failed: preflight found a blocking problem; no user was checked;
 * - throttled: the server kept throttling the service account past the run's limit on waiting; results so far stay;
 * - failed: the server could not go on (e.g. the configuration changed while a resumed run waited).
 */
export type CheckRunState =
  "preflight" | "running" | "completed" | "cancelled" | "auth_failed" | "preflight_failed" | "throttled" | "failed";

export const ACTIVE_CHECK_RUN_STATES: readonly CheckRunState[] = ["preflight", "running"];
/** Runs that ended without checking everyone, and not because an admin cancelled: their configuration did not work. */
export const FAILED_CHECK_RUN_STATES: readonly CheckRunState[] = [
  "auth_failed",
  "preflight_failed",
  "throttled",
  "failed",
];

export interface StartCheckRunInput {
  scope: CheckScope;
  depth: CheckDepth;
  /**
   * An unsaved configuration to check before Save (same shape and validation as PUT email-config). Secrets left
   * out fall back to the stored ones.
   */
  draft?: EmailConfigInput;
  /** Concurrent requests; defaults to the server's CHECK_CONCURRENCY (10), at most its CHECK_MAX_CONCURRENCY. */
  concurrency?: number;
  /**
   * Checks only this connection profile's users, through it (with `draft`: the profile's unsaved form). Absent: every
   * user through their own profile (a group run when several profiles have users; a draft then is the default's).
   */
  profileId?: string;
}

/** One profile's share of a run: its users, progress and end. */
export interface CheckRunProfileDto {
  profileId: string;
  name: string;
  accessType: string;
  state: CheckRunState;
  total: number;
  done: number;
  counts: Partial<Record<CategoryId, number>>;
  stopCategory: CategoryId | null;
  stopDetail: string | null;
}

export interface StartCheckRunDto {
  runId: string;
}

export interface CheckStepDto {
  step: string;
  ok: boolean;
  category: CategoryId;
  detail?: string;
  durationMs: number;
}

/** RBAC for Applications takes 30 minutes to 2 hours to apply a change (DOMAIN.md); an idle app takes the longest. */
export const SETTLING_WINDOW_MS = 2 * 60 * 60_000;

/**
 * Whether a change of this access type's configuration settles (RBAC for Applications, Exchange Online app-only):
 * on-premises EWS applies ApplicationImpersonation at once, so neither the settling note nor held alerts apply.
 */
export function settlesAfterChange(accessType: AccessTypeId | null): boolean {
  return accessType === "graph_app_only";
}

/** Outcomes a change of scope, role or consent may still be turning into: the settling note goes with them. */
export const SCOPE_RELATED_CATEGORIES: readonly CategoryId[] = categoriesWhere("scopeRelated");

/** A check started within the settling window after the saved configuration changed. */
export interface CheckSettlingDto {
  /** When the saved configuration last changed. */
  changedAt: string;
  /** changedAt + 2 hours: a re-check from then on sees the settled answer. */
  recheckAfter: string;
  /** "Changes to RBAC for Applications can take up to 2 hours; re-check after 16:45 UTC." */
  note: string;
}

/**
 * An application permission the product needs for the run's depth (Graph app-only), and whether the app has it as
 * far as Entra ID shows: in the app's token roles or its role assignments (servicePrincipals/{id}/appRoleAssignments).
 */
export interface CheckPermissionDto {
  /** e.g. "Mail.Read". */
  permission: string;
  /** What the product uses it for, e.g. "reading mail". */
  usedFor: string;
  state: "present" | "missing";
  /** The permission found: this one, or a broader one that covers it (Mail.ReadWrite for Mail.Read); null if missing. */
  heldAs: string | null;
  /** role_assignments: consented tenant-wide in Entra ID; token: in the token's roles only; null when missing. */
  seenIn: "role_assignments" | "token" | null;
  /**
   * The RBAC for Applications role that grants it scoped in Exchange Online, e.g. "Application Mail.Read", or null
   * for an Entra-only permission. No API shows RBAC grants: "missing" then means only that Entra ID shows none.
   */
  rbacRole: string | null;
}

export interface CheckPreflightDto {
  canProceed: boolean;
  steps: CheckStepDto[];
  /** Consequences that do not block the run, e.g. "rooms and resources will not be read". */
  warnings: Array<{ category: CategoryId; message: string }>;
  /** Graph app-only: every permission the run's depth needs, present or missing (absent for other access types). */
  permissions?: CheckPermissionDto[];
  /** Set when the run started within the settling window of a configuration change; goes with scope-related outcomes. */
  settling?: CheckSettlingDto;
}

export interface CheckRunDto {
  id: string;
  orgId: string;
  state: CheckRunState;
  depth: CheckDepth;
  scope: "all" | "list";
  accessType: string;
  /** The saved configuration version checked, or null when the run checked an unsaved draft. */
  configVersion: number | null;
  draft: boolean;
  concurrency: number;
  /** Users in scope (fixed when the run starts). */
  total: number;
  /** Users with a durable result. */
  done: number;
  counts: Partial<Record<CategoryId, number>>;
  severityCounts: Record<Severity, number>;
  preflight: CheckPreflightDto | null;
  /**
   * Why the run stopped early (auth_failed, preflight_failed, failed): the category table's message and remedy, or
   * for a server-side failure (category null) the server's own words.
   */
  stopReason: { category: CategoryId | null; message: string; remedy: string; detail: string | null } | null;
  startedBy: string;
  /** manual (an admin), scheduled, or after_change (the re-check once a configuration change has settled). */
  trigger: CheckRunTrigger;
  startedAt: string;
  finishedAt: string | null;
  /** Seconds until done at the recent rate; null before the rate is known or once finished. */
  etaSeconds: number | null;
  /** Each connection profile the run checks through (a plain run: its one profile), with its own progress and end. */
  profiles: CheckRunProfileDto[];
}

/**
 * What a user's check proved, per capability a sync engine needs: the category of each probe (ok, or why not), or
 * null when it was not probed (EWS, or a probe after a failure). RBAC for Applications grants per permission, so
 * mail may work while the calendar is denied.
 */
export interface CheckCapabilitiesDto {
  mail: CategoryId;
  calendar: CategoryId | null;
  /** Full depth: creating and deleting a draft (needs Mail.ReadWrite). */
  drafts: CategoryId | null;
}

export interface CheckResultDto {
  userId: string;
  email: string;
  category: CategoryId;
  severity: Severity;
  message: string;
  remedy: string;
  detail: string | null;
  /** Set for non_primary_address: the address Exchange says to use. */
  primarySmtpAddress: string | null;
  /** Per-capability outcomes (Graph app-only); null for access types that probe one capability. */
  capabilities: CheckCapabilitiesDto | null;
  /** The name of the connection profile that checked the user (results before profiles: the default's). */
  profile: string;
  /**
   * The profile the product would place the user in, when the answer placed the mailbox elsewhere and a profile of
   * the organization reaches that place (null otherwise; the remedy then says what profile to add).
   */
  suggestedProfile: string | null;
  suggestedProfileId: string | null;
  /** Where the answer says the mailbox lives, and the answer that says so; null when it did not say. */
  placement: { where: MailboxPlace; evidence: string } | null;
  httpStatus: number | null;
  /** Requests made for this user, retries included. */
  attempts: number;
  durationMs: number;
  steps: CheckStepDto[];
  checkedAt: string;
}

/** Query of GET …/checks/{runId}/results. */
export interface CheckResultsQuery {
  category?: CategoryId;
  severity?: Severity;
  /** Only the results checked through this connection profile (its id); a group run's results are every profile's. */
  profile?: string;
  cursor?: string;
  /** 1–500, default 100. */
  limit?: number;
}

/**
 * Server-sent events of GET …/checks/{runId}/events: `event: progress` while the run moves (at most 4 a second),
 * then one `event: end` with the final state, after which the server closes the stream.
 */
export type CheckRunEvent = { type: "progress"; run: CheckRunDto } | { type: "end"; run: CheckRunDto };

/** POST …/checks/{runId}/events/ticket: a one-use, 60-second ticket for EventSource, which cannot send headers. */
export interface CheckEventsTicketDto {
  ticket: string;
  expiresAt: string;
  /** Path with the ticket in its query, ready for `new EventSource(url)`. */
  url: string;
}

/*
 * The email-config helpers around a check: the magic wand, the EWS OAuth service account's sign-in and the RBAC
 * for Applications script (routes under /api/orgs/{orgId}/email-config/…, admins only).
 */

/** POST …/email-config/discover. A blank password with the saved account logon uses the saved password. */
export interface DiscoverEwsUrlInput {
  /** An email address or a DNS domain. */
  address: string;
  accountLogon?: string;
  password?: string;
  /** How POX signs in, as the configuration's Authentication; omitted means automatic. */
  authentication?: EwsAuthentication;
  /** An Autodiscover POX URL the admin chose from a "found" step: tried first, with the credentials. */
  autodiscoverUrl?: string;
}

/** What a "found" step points at (outside the domain, so nothing was sent there), for the admin to take. */
export interface DiscoverySuggestionDto {
  kind: "autodiscoverUrl" | "address" | "ewsUrl";
  value: string;
}

export interface DiscoveryStepDto {
  name: string;
  url: string | null;
  outcome: "ok" | "failed" | "skipped" | "found";
  detail: string;
  suggestion?: DiscoverySuggestionDto;
}

export interface DiscoveryResultDto {
  ewsUrl: string | null;
  /** True when the URL found is Exchange Online: only Microsoft 365 OAuth (Graph) – App-only fits. */
  exchangeOnline: boolean;
  steps: DiscoveryStepDto[];
}

/** POST …/email-config/service-account: the token the popup got for the service account (audience: this API). */
export interface ServiceAccountSignInInput {
  accessToken: string;
  /** The connection profile the service account signs in for; absent: the default profile. */
  profileId?: string;
}

/** GET …/email-config/rbac-script?appId=…&servicePrincipalObjectId=… */
export interface RbacScriptQuery {
  appId: string;
  servicePrincipalObjectId: string;
}

export interface RbacScriptDto {
  script: string;
}
