/**
 * Human labels for the ids both sides use: every result category, every audit action, and the words that change
 * with the access type. Records over the id types, so a new category or audit action without a label fails the type
 * check. The pane shows these, never an id.
 */
import type { AccessTypeId } from "./accessTypes.js";
import type { CategoryId } from "./categories.js";

/** A check result's category as a short chip or filter label. */
export const CATEGORY_LABELS: Record<CategoryId, string> = {
  ok: "Connected",
  scope_leak: "Scope leak: canary readable",
  non_primary_address: "Alias, not the primary address",
  impersonation_denied: "Impersonation denied for this user",
  impersonation_not_granted: "No impersonation right",
  impersonation_failed: "User could not be resolved",
  bad_impersonation_header: "Address rejected by Exchange",
  no_mailbox: "No mailbox",
  access_denied: "Access denied",
  account_disabled: "Account disabled",
  mailbox_moving: "Mailbox being moved",
  mailbox_in_cloud: "Mailbox in Exchange Online",
  mailbox_on_premises: "Mailbox on-premises",
  no_profile: "No profile reaches this user",
  mailbox_store_unavailable: "Mailbox database unavailable",
  server_busy: "Server busy",
  too_many_connections: "Too many connections",
  mailbox_full: "Mailbox full",
  throttled: "Throttled",
  auth_failed: "Sign-in refused",
  auth_method_unsupported: "Sign-in method not offered",
  basic_disabled: "Basic sign-in disabled",
  ntlm_refused: "Windows sign-in refused",
  secret_expired: "Client secret expired",
  secret_id_pasted: "Secret ID pasted instead of its value",
  app_not_in_tenant: "App not found in the tenant",
  conditional_access_blocked: "Blocked by Conditional Access",
  tenant_not_found: "Tenant not found",
  tenant_wide_consent: "Tenant-wide consent widens the scope",
  permission_missing: "Permission missing",
  calendar_denied: "Calendar denied",
  drafts_not_permitted: "Drafts not permitted",
  mailbox_throttled: "Mailbox busy (throttled)",
  ews_blocked: "EWS blocked",
  token_expired: "Sign-in expired",
  token_header_mismatch: "Token does not fit the access type",
  forbidden: "Forbidden (HTTP 403)",
  graph_scope_denied: "Outside the app's scope",
  user_not_found: "User not found",
  tls_error: "Certificate not trusted",
  url_refused: "URL not allowed",
  network_error: "Server unreachable",
  timeout: "Timed out",
  server_error: "Server error",
  bad_response: "Not an EWS answer",
  retired_access_type: "Access type retired",
  unknown_error: "Unrecognised error",
};

/** A category's label, or a plain fallback for an id this pane's build does not know (never the id itself). */
export function categoryLabel(id: string): string {
  return Object.hasOwn(CATEGORY_LABELS, id) ? CATEGORY_LABELS[id as CategoryId] : "Other result";
}

/** Every action the audit trail records (src/server/*: recordAudit takes only these). */
export const AUDIT_ACTION_IDS = [
  "org.create",
  "user.add",
  "user.update",
  "user.make_admin",
  "user.remove",
  "users.import",
  "email_config.update",
  "email_config.service_account_sign_in",
  "profile.create",
  "profile.update",
  "profile.rename",
  "profile.delete",
  "profile.set_default",
  "profile_placement.update",
  "users.move_profile",
  "users.move_to_suggested",
  "users.follow_moves",
  "check_run.start",
  "check_run.cancel",
  "check_run.finish",
  "check_run.attestation_issued",
  "canary.add",
  "canary.remove",
  "monitoring.schedule.update",
  "monitoring.alerts.update",
  "monitoring.channels.update",
  "monitoring.alert_mail.cap_reached",
] as const;

export type AuditActionId = (typeof AUDIT_ACTION_IDS)[number];

/** What the actor did, as the Activity tab says it ("alex@contoso.com: Saved the email configuration"). */
export const AUDIT_ACTION_LABELS: Record<AuditActionId, string> = {
  "org.create": "Created the organization",
  "user.add": "Added a user",
  "user.update": "Changed a user",
  "user.make_admin": "Made a user an admin",
  "user.remove": "Removed a user",
  "users.import": "Imported users",
  "email_config.update": "Saved the email configuration",
  "email_config.service_account_sign_in": "Signed the service account in",
  "profile.create": "Added a connection profile",
  "profile.update": "Saved a connection profile",
  "profile.rename": "Renamed a connection profile",
  "profile.delete": "Deleted a connection profile",
  "profile.set_default": "Made a connection profile the default",
  "profile_placement.update": "Changed how users are placed in profiles",
  "users.move_profile": "Moved users to another profile",
  "users.move_to_suggested": "Moved users to their suggested profile",
  "users.follow_moves": "Followed moved mailboxes to their profile",
  "check_run.start": "Started a check run",
  "check_run.cancel": "Cancelled a check run",
  "check_run.finish": "A check run ended",
  "check_run.attestation_issued": "Downloaded a signed access attestation",
  "canary.add": "Added a canary mailbox",
  "canary.remove": "Removed a canary mailbox",
  "monitoring.schedule.update": "Changed the monitoring schedule",
  "monitoring.alerts.update": "Changed the alert rules",
  "monitoring.channels.update": "Changed the alert channels",
  "monitoring.alert_mail.cap_reached": "Alert mail reached its daily limit",
};

export function isAuditActionId(value: unknown): value is AuditActionId {
  return typeof value === "string" && Object.hasOwn(AUDIT_ACTION_LABELS, value);
}

/** An audit action's label, or a plain fallback for one this pane's build does not know (never the id itself). */
export function auditActionLabel(id: string): string {
  return isAuditActionId(id) ? AUDIT_ACTION_LABELS[id] : "Made a change";
}

/** The words that change with the access type: what signs in, and what the check is called. */
export interface AccessTypeWords {
  /** Who signs in to reach the mailboxes: "the service account" or "the app registration". */
  credential: string;
  /** The check's button and its name in sentences. */
  checkName: string;
}

export const ACCESS_TYPE_WORDS: Record<AccessTypeId, AccessTypeWords> = {
  ews_basic_impersonation: {
    credential: "the service account",
    checkName: "Check Users Exchange Impersonated Access",
  },
  ews_oauth_impersonation: {
    credential: "the service account",
    checkName: "Check Users Exchange Impersonated Access",
  },
  graph_app_only: {
    credential: "the app registration",
    checkName: "Check Users' Mailbox Access",
  },
};

/** The words for an access type, or the seeds' words when none is chosen yet. */
export function accessTypeWords(accessType: string | null | undefined): AccessTypeWords {
  return accessType && Object.hasOwn(ACCESS_TYPE_WORDS, accessType)
    ? ACCESS_TYPE_WORDS[accessType as AccessTypeId]
    : ACCESS_TYPE_WORDS.ews_basic_impersonation;
}
