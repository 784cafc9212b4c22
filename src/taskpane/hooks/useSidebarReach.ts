/**
 * Reports, once the user is signed in, where the sidebar runs (client, platform, versions, requirement sets, sign-in
 * path and last sign-in failure code) to the backend, at most once an hour per user and organization. Renders
 * nothing and never fails visibly: the end user sees nothing of it.
 */
import { useEffect } from "react";
import { version as ADDIN_VERSION } from "../../../package.json";
import { REACH_REPORT_INTERVAL_MS, type SidebarReportInput } from "../../contract/reach";
import type { AuthDiagnostics } from "../auth/authTypes";
import { useSession } from "../auth/SessionProvider";
import type { HostDiagnostics } from "../office/mailboxHost";
import { useMailboxHost } from "./mailboxHostContext";

/** The server accepts short identifiers only; anything else Office reports is reduced to one. */
function token(value: string | null, max = 64): string | null {
  if (value === null) return null;
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, max);
  return cleaned === "" ? null : cleaned;
}

export function sidebarReport(host: HostDiagnostics, auth: AuthDiagnostics, addinVersion: string): SidebarReportInput {
  return {
    client: token(host.client) ?? "unknown",
    platform: token(host.platform),
    clientVersion: token(host.clientVersion),
    addinVersion: token(addinVersion, 32) ?? "unknown",
    manifest: host.manifest,
    mailboxVersion: host.mailboxVersion,
    nestedAppAuth: host.nestedAppAuth,
    signInPath: auth.path,
    signInFailure: token(auth.lastFailure ?? null),
  };
}

const lastReportKey = (orgId: string, email: string) => `syncSidebar.reach.${orgId}.${email.toLowerCase()}`;

function reportedRecently(key: string, now: number): boolean {
  try {
    const last = Number(globalThis.localStorage?.getItem(key) ?? 0);
    return now - last < REACH_REPORT_INTERVAL_MS;
  } catch {
    return false; // storage blocked (some Outlook webviews): the server keeps the hourly limit anyway
  }
}

function remember(key: string, now: number): void {
  try {
    globalThis.localStorage?.setItem(key, String(now));
  } catch {
    // see reportedRecently
  }
}

export function useSidebarReach(): void {
  const host = useMailboxHost();
  const { api, auth, status, me } = useSession();
  useEffect(() => {
    const orgId = me?.orgs[0]?.id;
    if (status !== "signed_in" || !me || !orgId) return;
    const key = lastReportKey(orgId, me.email);
    if (reportedRecently(key, Date.now())) return;
    void host
      .diagnostics()
      .then((diagnostics) => api.reportSidebar(orgId, sidebarReport(diagnostics, auth.diagnostics(), ADDIN_VERSION)))
      .then(() => remember(key, Date.now()))
      .catch(() => undefined); // reach is for the admin; a failed report must never bother the user
  }, [api, auth, host, status, me]);
}

/** Mount once inside the session: reports the sidebar's reach and renders nothing. */
export function SidebarReachReporter(): null {
  useSidebarReach();
  return null;
}
