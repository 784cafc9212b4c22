/**
 * Wire types of monitoring: scheduled re-checks, the health history, alert rules and the channels alerts go out
 * through (email, a signed webhook). Types and a few constants only, shared by the pane and the backend.
 *
 * Routes (admins only; every path under /api/orgs/{orgId}/monitoring, answers scoped to the org):
 *   GET    …/schedule                  MonitoringScheduleDto (the defaults until one is saved)
 *   PUT    …/schedule                  MonitoringScheduleInput → MonitoringScheduleDto
 *   GET    …/alerts                    AlertSettingsDto (rules + the conditions open right now)
 *   PUT    …/alerts                    AlertRulesInput → AlertSettingsDto
 *   GET    …/channels                  AlertChannelsDto (the webhook secret never leaves the server)
 *   PUT    …/channels                  AlertChannelsInput → AlertChannelsDto
 *   POST   …/channels/test             queues a test message to each enabled channel → 202 ChannelTestDto (its
 *                                      attempts land in the delivery log; 429 past the organization's limit)
 *   GET    …/deliveries?cursor&limit   Page<DeliveryAttemptDto>, newest first (one row per attempt)
 *   GET    …/history?cursor&limit      Page<RunHistoryEntryDto>, newest first (kept historyDays days)
 *   GET    …/status-changes?userId&cursor&limit
 *                                      Page<StatusChangeDto>, newest first
 *   GET    …/failing-users             { items: FailingUserDto[] } users failing now, longest-failing first
 * The run list (GET /api/orgs/{orgId}/checks) and the audit trail mark scheduled runs with CheckRunDto.trigger.
 * The end user's GET /api/me/mailbox-status gains MailboxMonitoringDto.
 */
import type { CategoryId, Severity } from "./categories.js";

/** Who started a check run: an admin's button, the schedule, or the re-check after a configuration change. */
export type CheckRunTrigger = "manual" | "scheduled" | "after_change";

export type ScheduleMode = "off" | "daily" | "every_hours";

/** Until an admin saves one, a configured organization is re-checked daily at 06:00 (MONITORING_TIME_ZONE). */
export const SCHEDULE_DEFAULTS = {
  mode: "daily",
  time: "06:00",
  everyHours: 24,
  recheckAfterChange: true,
  /** Exchange applies RBAC for Applications changes 30 minutes to 2 hours later. */
  settlingMinutes: 120,
  historyDays: 90,
} as const;

export const SCHEDULE_LIMITS = {
  everyHours: { min: 1, max: 168 },
  settlingMinutes: { min: 0, max: 1440 },
  historyDays: { min: 1, max: 730 },
} as const;

export interface MonitoringScheduleInput {
  mode: ScheduleMode;
  /** "HH:MM", 24-hour clock; daily only; default 06:00. */
  time?: string;
  /** IANA time zone (e.g. "Europe/Berlin"); default the server's MONITORING_TIME_ZONE (UTC). */
  timeZone?: string;
  /** every_hours only: 1–168, counted from midnight UTC (every 6 hours: 00:00, 06:00, 12:00, 18:00 UTC). */
  everyHours?: number;
  /** Re-check once the settling window after a configuration change has passed; default true. */
  recheckAfterChange?: boolean;
  /** Minutes after a configuration change with no alerts (and then the re-check); 0–1440, default 120. */
  settlingMinutes?: number;
  /** Days the run history and status changes are kept; 1–730, default 90. */
  historyDays?: number;
}

export interface MonitoringScheduleDto {
  mode: ScheduleMode;
  time: string;
  timeZone: string;
  everyHours: number;
  recheckAfterChange: boolean;
  settlingMinutes: number;
  historyDays: number;
  /** When the next scheduled run will start; null when off. */
  nextRunAt: string | null;
  /** End of the settling window after the last configuration change; null when none is open. */
  settlingUntil: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
}

export type AlertKind =
  | "failing_share"
  | "newly_failing"
  | "service_account_refused"
  | "service_account_sign_in"
  | "credential_expiring"
  | "sidebar_reach"
  | "scope_leak"
  | "mailboxes_moved";

/** Each alert's name, as the delivery log, the alert email and the pane show it. */
export const ALERT_NAMES: Record<AlertKind, string> = {
  failing_share: "Share of failing users",
  newly_failing: "Users newly failing",
  service_account_refused: "Service account or app refused",
  service_account_sign_in: "Service account must sign in again",
  credential_expiring: "Certificate or client secret expiring",
  sidebar_reach: "Sidebar not reaching users",
  scope_leak: "Mailboxes outside the scope are readable",
  mailboxes_moved: "Mailboxes moved between profiles",
};

/** The name of what a delivery carried: an alert's name, or the test message. */
export function alertNameOf(kind: AlertKind | null): string {
  return kind === null ? "Test message" : ALERT_NAMES[kind];
}

export const ALERT_LIMITS = {
  failingSharePercent: { min: 1, max: 100, default: 20 },
  credentialExpiryDays: { min: 1, max: 365, default: 14 },
  sidebarReachDays: { min: 1, max: 90, default: 7 },
} as const;

export interface AlertRulesDto {
  /** Share of checked users failing (severity error or transient) ≥ percent. */
  failingShare: { enabled: boolean; percent: number };
  /** Any user failing now who was not failing in the previous run. */
  newlyFailing: { enabled: boolean };
  /** The service account or app was refused: a run stopped as auth_failed (a `stopsRun` category, anywhere in the run). */
  serviceAccountRefused: { enabled: boolean };
  /** The Microsoft 365 (EWS OAuth) service account must sign in again. */
  serviceAccountSignIn: { enabled: boolean };
  /** The app-only certificate or client secret expires within days. */
  credentialExpiry: { enabled: boolean; days: number };
  /**
   * Users with a connected mailbox who have not opened the sidebar in `days` (counted once they have been in the
   * organization that long), or whose sidebar reports a sign-in failure. Always in answers; a PUT without it keeps
   * the stored rule.
   */
  sidebarReach?: { enabled: boolean; days: number };
  /**
   * A canary (a mailbox outside the scope on purpose) was readable in a run. Fires at once, even while a change
   * settles, and resolves when every canary is refused again. Always in answers; a PUT without it keeps the stored
   * rule (on by default).
   */
  scopeLeak?: { enabled: boolean };
  /**
   * Information, not a condition: after a run, users on Automatic placement whose mailbox answered from the other
   * place were moved to the profile that reaches it ("3 mailboxes moved to Exchange Online; now checked through
   * Cloud"). Sent once per run as an `info` event; never open. Always in answers; on by default.
   */
  mailboxesMoved?: { enabled: boolean };
}

/** PUT …/alerts: every rule, as in AlertRulesDto (thresholds out of range → 400 naming the field). */
export type AlertRulesInput = AlertRulesDto;

export interface OpenAlertDto {
  kind: AlertKind;
  /** What is wrong, in the admin's words (no secrets, no tokens). */
  summary: string;
  openedAt: string;
  runId: string | null;
}

export interface AlertSettingsDto {
  rules: AlertRulesDto;
  open: OpenAlertDto[];
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface AlertChannelsDto {
  email: {
    enabled: boolean;
    recipients: string[];
    /** False when the server has no SMTP_HOST: email alerts cannot go out. */
    smtpConfigured: boolean;
  };
  webhook: {
    enabled: boolean;
    url: string | null;
    /** Whether a signing secret is stored; the secret itself never leaves the server. */
    hasSecret: boolean;
  };
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface AlertChannelsInput {
  /** At most 20 recipients. */
  email: { enabled: boolean; recipients: string[] };
  /**
   * url goes through the server's URL guard (https, no private addresses unless allowed). secret: 16–200
   * characters; omitted or blank keeps the stored one; required when the webhook is enabled and none is stored.
   */
  webhook: { enabled: boolean; url: string | null; secret?: string };
}

/** fired / resolved: a condition opens or clears; info: something the product did (never open); test: a test. */
export type AlertEvent = "fired" | "resolved" | "test" | "info";

/**
 * The JSON body POSTed to the webhook. Headers: WEBHOOK_TIMESTAMP_HEADER (Unix seconds) and
 * WEBHOOK_SIGNATURE_HEADER ("sha256=" + hex HMAC-SHA256 with the secret over `${timestamp}.${rawBody}`).
 */
export interface AlertMessageDto {
  id: string;
  event: AlertEvent;
  orgId: string;
  orgName: string;
  kind: AlertKind | null;
  summary: string;
  runId: string | null;
  at: string;
}

export const WEBHOOK_TIMESTAMP_HEADER = "x-sync-sidebar-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "x-sync-sidebar-signature";

export type DeliveryStatus = "delivered" | "failed" | "retrying";

export interface DeliveryAttemptDto {
  id: string;
  /** AlertMessageDto.id: the attempts of one message share it. */
  messageId: string;
  channel: "email" | "webhook";
  event: AlertEvent;
  kind: AlertKind | null;
  /** The alert's name (ALERT_NAMES), or "Test message". */
  alertName: string;
  /** 1 for the first attempt. */
  attempt: number;
  status: DeliveryStatus;
  /** The webhook's HTTP status, when it answered. */
  httpStatus: number | null;
  /** Why the attempt failed, without secrets. */
  error: string | null;
  at: string;
}

/** A test message queued: its attempts land in the delivery log under messageId (null: no channel is on). */
export interface ChannelTestDto {
  messageId: string | null;
  channels: Array<"email" | "webhook">;
}

/** Users per health bucket: ok → connected, warning → needs attention, error and transient → failing. */
export interface HealthCountsDto {
  connected: number;
  needsAttention: number;
  failing: number;
}

export interface RunHistoryEntryDto {
  runId: string;
  trigger: CheckRunTrigger;
  state: string;
  startedAt: string;
  finishedAt: string | null;
  total: number;
  counts: Partial<Record<CategoryId, number>>;
  severityCounts: Record<Severity, number>;
  health: HealthCountsDto;
  /**
   * Why the run stopped early (state auth_failed, preflight_failed, throttled or failed): the category, null for a
   * server-side failure, and its message. Null when it finished or was cancelled.
   */
  stopReason: { category: CategoryId | null; message: string } | null;
}

/** moved: placement followed the user's mailbox to another profile (detail says from which, to which, and why). */
export type StatusChange = "started_failing" | "recovered" | "moved";

export interface StatusChangeDto {
  id: string;
  userId: string;
  email: string;
  change: StatusChange;
  category: CategoryId;
  previousCategory: CategoryId | null;
  /** moved: "Moved from On-premises to Cloud: <the evidence>"; null for the other changes. */
  detail: string | null;
  runId: string;
  at: string;
}

export interface FailingUserDto {
  userId: string;
  email: string;
  category: CategoryId;
  /** When the user started failing (the run that first found it). */
  since: string;
}

/** Added to MailboxStatusDto for the end user's "Your mailbox" card. */
export interface MailboxMonitoringDto {
  lastCheckedAt: string | null;
  scheduled: boolean;
}
