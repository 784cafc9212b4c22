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

/** Where a connection reaches mailboxes: Exchange Online, or the organization's own (on-premises) Exchange server. */
export type MailboxPlace = "exchange_online" | "on_premises";

/**
 * Graph app-only reaches Exchange Online; the EWS types reach the server their EWS URL names (on-premises unless it is
 * Exchange Online's own host, where they no longer work but are still what the profile says).
 */
export function mailboxPlaceOf(accessType: AccessTypeId, ewsUrl: string | null): MailboxPlace {
  if (ACCESS_TYPES[accessType].protocol === "graph") return "exchange_online";
  return ewsUrl !== null && isExchangeOnlineUrl(ewsUrl) ? "exchange_online" : "on_premises";
}
