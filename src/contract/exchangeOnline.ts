/**
 * Recognising Exchange Online, where EWS impersonation no longer works (see DOMAIN.md's platform facts): the pane's
 * retirement notice and the server's preflight read this one list, so they agree on every host.
 */
import { ACCESS_TYPES, EXCHANGE_ONLINE_DATES, type AccessTypeId } from "./accessTypes.js";

export const EXCHANGE_ONLINE_HOSTS: ReadonlySet<string> = new Set([
  "outlook.office365.com",
  "outlook.office.com",
  "outlook.office365.us",
  "outlook-dod.office365.us",
  "partner.outlook.cn",
]);

export function isExchangeOnlineUrl(url: string): boolean {
  try {
    return EXCHANGE_ONLINE_HOSTS.has(new URL(url.trim()).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/** The explanation preflight gives when an EWS impersonation access type points at Exchange Online. */
export function retiredAccessTypeDetail(evidence: string): string {
  return (
    `${evidence}: Exchange Online removed ApplicationImpersonation on ${EXCHANGE_ONLINE_DATES.applicationImpersonationRemoved}, ` +
    `blocks EWS tenant by tenant since ${EXCHANGE_ONLINE_DATES.ewsBlockingStarted} and shuts it down on ${EXCHANGE_ONLINE_DATES.ewsShutdown}. ` +
    `Switch to Microsoft 365 OAuth (Graph) – App-only and scope it to the org's users with RBAC for Applications (the API offers the PowerShell).`
  );
}

/**
 * Where a mailbox lives, and where a connection profile reaches mailboxes: Exchange Online, or the organization's own
 * (on-premises) Exchange server. Ids are stable: stored in check results' placement and sent over the API (results
 * stored before this id say "cloud" for exchange_online; their readers map it).
 */
export const MAILBOX_PLACES = ["exchange_online", "on_premises"] as const;
export type MailboxPlace = (typeof MAILBOX_PLACES)[number];

/** A place in the admin's words ("moved to Exchange Online", "reaches the on-premises Exchange server"). */
export const MAILBOX_PLACE_NAMES: Readonly<Record<MailboxPlace, string>> = {
  exchange_online: "Exchange Online",
  on_premises: "the on-premises Exchange server",
};

/**
 * The place a profile reaches, from its access type and its EWS URL: Graph app-only reaches Exchange Online; the EWS
 * types reach the server their EWS URL names: Exchange Online when it is Exchange Online's own host (EWS OAuth there
 * works while EWS lasts; Basic no more, but that is still where the profile points), the on-premises server
 * otherwise (EWS OAuth with Hybrid Modern Auth, Basic or NTLM). Null while it reaches nowhere: no access type yet, or
 * an EWS type without an EWS URL.
 */
export function mailboxPlaceOf(accessType: AccessTypeId | null, ewsUrl: string | null): MailboxPlace | null {
  if (accessType === null) return null;
  if (ACCESS_TYPES[accessType].protocol === "graph") return "exchange_online";
  if (ewsUrl === null || ewsUrl.trim() === "") return null;
  return isExchangeOnlineUrl(ewsUrl) ? "exchange_online" : "on_premises";
}
