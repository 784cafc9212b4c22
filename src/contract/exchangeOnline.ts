/**
 * Recognising Exchange Online, where EWS impersonation no longer works (see DOMAIN.md's platform facts): the pane's
 * retirement notice and the server's preflight read this one list, so they agree on every host.
 */
import { EXCHANGE_ONLINE_DATES } from "./accessTypes.js";

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
