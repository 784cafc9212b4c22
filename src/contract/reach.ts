/**
 * Sidebar reach: which users have the sidebar, in which Outlook, and whether sign-in works there. The pane reports
 * when it opens (at most once per user per hour); admins read it per user and per client. Only the fields below are
 * kept, for REACH_RETENTION_DAYS.
 *
 * Routes (every path under /api/orgs/{orgId}, answers scoped to the org):
 *   POST …/sidebar-reports          (any member) SidebarReportInput → SidebarReportResultDto, for the caller only
 *   GET  …/reach/users?filter       (admins) { items: UserReachDto[] }; filter: never_opened | sign_in_failing
 *   GET  …/reach/summary            (admins) ReachSummaryDto
 */

export const REACH_RETENTION_DAYS = 90;
/** A user's reports are kept at most once an hour: later ones within the hour are acknowledged and dropped. */
export const REACH_REPORT_INTERVAL_MS = 3_600_000;
/** The Health tab's window: users who opened the sidebar in the last 7 days. */
export const REACH_WINDOW_DAYS = 7;

export type SignInPathId = "naa" | "popup" | "dialog";
/** Which manifest installed the add-in: the pane can tell only by the page URL the manifest names. */
export type ManifestKind = "unified" | "xml" | "unknown";

export interface SidebarReportInput {
  /** Office.context.mailbox.diagnostics.hostName (e.g. "newOutlookWindows", "Outlook", "OutlookWebApp"); "preview" in a plain browser. */
  client: string;
  /** Office.context.diagnostics.platform (PC, Mac, OfficeOnline, iOS, Android, Universal); null in the preview. */
  platform: string | null;
  /** Office.context.diagnostics.version (the client's build); null in the preview. */
  clientVersion: string | null;
  /** The pane's own version (package.json). */
  addinVersion: string;
  manifest: ManifestKind;
  /** The highest Mailbox 1.x requirement set the client supports, e.g. "1.14"; null when none (the preview). */
  mailboxVersion: string | null;
  /** Whether NestedAppAuth 1.1 is supported. */
  nestedAppAuth: boolean;
  /** The sign-in path the pane used; null if it has not signed in by the report. */
  signInPath: SignInPathId | null;
  /** Code of the last sign-in failure in this pane (e.g. "12011", "12006", "popup_window_error"); null if none. */
  signInFailure: string | null;
}

export interface SidebarReportResultDto {
  /** False when this user already reported within the hour (nothing stored). */
  recorded: boolean;
}

export interface SidebarReachDto extends SidebarReportInput {
  reportedAt: string;
}

export interface UserReachDto {
  userId: string;
  email: string;
  displayName: string;
  /** The user's latest report within REACH_RETENTION_DAYS; null when the sidebar was never opened (or not since). */
  sidebar: SidebarReachDto | null;
}

export type ReachFilter = "never_opened" | "sign_in_failing";

export interface ReachSummaryDto {
  windowDays: number;
  /** Users whose mailbox is connected (their latest check passed). */
  connected: number;
  /** Of those, users who opened the sidebar within windowDays. */
  reached: number;
  /** Users who opened the sidebar within windowDays, by client (clientLabel), most users first. */
  perClient: Array<{ client: string; users: number }>;
}

/** "new Outlook (Windows)", "Outlook on the web", …: how the admin reads a report's client and platform. */
export function clientLabel(client: string, platform: string | null): string {
  switch (client) {
    case "newOutlookWindows":
      return "new Outlook (Windows)";
    case "OutlookWebApp":
      return "Outlook on the web";
    case "OutlookIOS":
      return "Outlook for iOS";
    case "OutlookAndroid":
      return "Outlook for Android";
    case "preview":
      return "browser preview";
    case "Outlook":
      if (platform === "Mac") return "Outlook for Mac";
      if (platform === "PC") return "classic Outlook (Windows)";
      return platform ? `Outlook (${platform})` : "Outlook";
    default:
      return platform ? `${client} (${platform})` : client;
  }
}

/** "signed in through Outlook" (NAA), "… a pop-up window", "… the Office dialog". */
export function signInPathLabel(path: SignInPathId | null): string {
  if (path === "naa") return "signed in through Outlook";
  if (path === "popup") return "signed in through a pop-up window";
  if (path === "dialog") return "signed in through the Office dialog";
  return "not signed in";
}
