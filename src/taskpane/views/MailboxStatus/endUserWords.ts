/**
 * What the end user's card says about a check result, in the user's own words: the sentence they can pass on to
 * their admin ("My mailbox is full."), first person, without the error codes and category ids the admin's view
 * shows. One row per category, so a category added to the contract does not compile until it has its words here.
 */
import { isCategoryId, type CategoryId, type Severity } from "../../../contract/categories";
import type { MailboxPlace } from "../../../contract/exchangeOnline";

const COULD_NOT_CHECK = "so my mailbox could not be checked";

export const END_USER_WORDS: Readonly<Record<CategoryId, string>> = {
  ok: "My mailbox is connected.",
  non_primary_address: "My mailbox is listed under an alias instead of my primary address.",
  impersonation_denied: "The organization's service account is not allowed to open my mailbox.",
  impersonation_not_granted: "The organization's service account is not allowed to open any mailbox, my own included.",
  impersonation_failed: "Exchange could not find my account when the organization tried to open my mailbox.",
  bad_impersonation_header: "Exchange does not accept my address as the organization lists it.",
  no_mailbox: "I do not have a mailbox the organization can reach.",
  access_denied: "Exchange refused the organization access to my mailbox.",
  account_disabled: "My account is disabled, so the organization cannot open my mailbox.",
  mailbox_moving: "My mailbox was being moved, so it could not be checked just then.",
  mailbox_in_cloud: "My mailbox has moved to Exchange Online, so the organization looked for it in the wrong place.",
  mailbox_on_premises:
    "My mailbox is still on the organization's own Exchange server, so it was looked for in the wrong place.",
  no_profile: "None of the organization's connections reaches my mailbox.",
  scope_leak: "My organization's access reaches mailboxes it should not reach.",
  mailbox_store_unavailable: "The database that holds my mailbox was unavailable when my mailbox was checked.",
  server_busy: `The mail server was too busy, ${COULD_NOT_CHECK}.`,
  too_many_connections: `The mail server had too many connections from the organization, ${COULD_NOT_CHECK}.`,
  mailbox_full: "My mailbox is full.",
  throttled: `The mail server asked the organization to slow down, ${COULD_NOT_CHECK}.`,
  auth_failed: `The mail server refused the organization's sign-in, ${COULD_NOT_CHECK}.`,
  auth_method_unsupported: `The mail server does not accept the way the organization signs in, ${COULD_NOT_CHECK}.`,
  basic_disabled: `The mail server does not accept the way the organization signs in, ${COULD_NOT_CHECK}.`,
  ntlm_refused: `The mail server refused the organization's sign-in, ${COULD_NOT_CHECK}.`,
  secret_expired: `The secret of the organization's app for mailboxes has expired, ${COULD_NOT_CHECK}.`,
  secret_id_pasted: `The organization's app for mailboxes could not sign in, ${COULD_NOT_CHECK}.`,
  app_not_in_tenant: `Microsoft 365 does not know the organization's app for mailboxes, ${COULD_NOT_CHECK}.`,
  conditional_access_blocked: `A sign-in policy blocked the organization's app for mailboxes, ${COULD_NOT_CHECK}.`,
  tenant_not_found: `The organization's mailbox connection names a Microsoft 365 tenant that does not exist, ${COULD_NOT_CHECK}.`,
  tenant_wide_consent: "My mailbox is reachable, but the organization's app may read every mailbox, not only ours.",
  permission_missing: "My mailbox is reachable, but the organization's app lacks a permission Sync Sidebar needs.",
  calendar_denied: "The organization can read my mail but not my calendar.",
  drafts_not_permitted: "The organization can read my mailbox but may not create items in it.",
  mailbox_throttled: "Microsoft 365 kept my mailbox busy, so it could not be checked just then.",
  ews_blocked: "Exchange Online refused the organization's connection to my mailbox.",
  token_expired: `The organization's sign-in for mailboxes has expired, ${COULD_NOT_CHECK}.`,
  token_header_mismatch: "The organization's connection does not fit the way Exchange opens my mailbox.",
  forbidden: "Exchange refused the organization's request for my mailbox.",
  graph_scope_denied: "The organization's app is not allowed to read my mailbox.",
  user_not_found: "Microsoft 365 does not know my address as the organization lists it.",
  tls_error: `The organization's connection to the mail server failed its security check, ${COULD_NOT_CHECK}.`,
  url_refused: `Sync Sidebar may not call the mail server address the organization set up, ${COULD_NOT_CHECK}.`,
  network_error: "The mail server could not be reached when my mailbox was checked.",
  timeout: "The mail server did not answer in time when my mailbox was checked.",
  server_error: "The mail server failed while my mailbox was checked.",
  bad_response: "The mail server's answer about my mailbox could not be read.",
  retired_access_type: `The organization's way of reaching mailboxes no longer works with Exchange Online, ${COULD_NOT_CHECK}.`,
  unknown_error: "Checking my mailbox gave an error Sync Sidebar does not recognise.",
};

/** The sentence for a category the server named; one this pane does not know yet gets a general one. */
export function endUserWords(category: string): string {
  return isCategoryId(category) ? END_USER_WORDS[category] : "Checking my mailbox found a problem.";
}

/** A line after the sentence for results that may clear by themselves; null for the others. */
export function endUserHint(severity: Severity): string | null {
  return severity === "transient" ? "This often clears by itself: the next check will tell." : null;
}

/** Where the card says the mailbox is checked, in the words of someone who never set the connection up. */
export const PLACE_WORDS: Readonly<Record<MailboxPlace, string>> = {
  exchange_online: "Exchange Online",
  on_premises: "your organization's Exchange server",
};

/** "My mailbox is checked in Exchange Online.": the sentence the user can pass on, first person. */
export function placeSentence(where: MailboxPlace): string {
  return where === "exchange_online"
    ? "My mailbox is checked in Exchange Online."
    : "My mailbox is checked on my organization's own Exchange server.";
}
