/**
 * Sidebar reach: stores the pane's reports (once an hour per user, kept REACH_RETENTION_DAYS) and answers who has
 * the sidebar, where, and whether sign-in works there. Other domains (monitoring's alert rule) call in here.
 */
import {
  REACH_REPORT_INTERVAL_MS,
  REACH_RETENTION_DAYS,
  REACH_WINDOW_DAYS,
  clientLabel,
  type ReachFilter,
  type ReachSummaryDto,
  type SidebarReportInput,
  type UserReachDto,
} from "../../contract/reach.js";
import type { Repositories } from "../repositories.js";

const DAY_MS = 86_400_000;
const ago = (now: Date, ms: number) => new Date(now.getTime() - ms).toISOString();

/** Drops reports older than the retention limit; every read and write starts with it, so none is ever shown. */
function purge(repos: Repositories, now: Date): Promise<number> {
  return repos.reach.purge(ago(now, REACH_RETENTION_DAYS * DAY_MS));
}

/** Stores the caller's report unless they reported within the hour; true when stored. */
export async function recordSidebarReport(
  repos: Repositories,
  orgId: string,
  userId: string,
  report: SidebarReportInput,
  now: Date,
): Promise<boolean> {
  await purge(repos, now);
  return repos.reach.record(orgId, userId, report, now.toISOString(), ago(now, REACH_REPORT_INTERVAL_MS));
}

export async function reachUsers(
  repos: Repositories,
  orgId: string,
  filter: ReachFilter | undefined,
  now: Date,
): Promise<UserReachDto[]> {
  await purge(repos, now);
  return repos.reach.users(orgId, filter);
}

/** Users who opened the sidebar in the last REACH_WINDOW_DAYS out of those whose mailbox is connected, per client. */
export async function reachSummary(repos: Repositories, orgId: string, now: Date): Promise<ReachSummaryDto> {
  await purge(repos, now);
  const since = ago(now, REACH_WINDOW_DAYS * DAY_MS);
  const connected = await repos.reach.connectedUsers(orgId);
  const reached = connected.filter((user) => user.reported_at !== null && user.reported_at >= since);
  const perClient = new Map<string, number>();
  for (const user of reached) {
    const label = clientLabel(user.client ?? "unknown", user.platform);
    perClient.set(label, (perClient.get(label) ?? 0) + 1);
  }
  return {
    windowDays: REACH_WINDOW_DAYS,
    connected: connected.length,
    reached: reached.length,
    perClient: [...perClient]
      .map(([client, users]) => ({ client, users }))
      .sort((a, b) => b.users - a.users || a.client.localeCompare(b.client)),
  };
}

/** What the sidebar-reach alert rule decides on (monitoring/alerts.ts). */
export interface ReachFacts {
  days: number;
  /** Users with a connected mailbox, in the organization for at least `days`, who have not opened the sidebar in `days`. */
  notOpened: number;
  /** Users whose report within `days` carries a sign-in failure. */
  signInFailing: number;
}

export async function reachFacts(repos: Repositories, orgId: string, days: number, now: Date): Promise<ReachFacts> {
  await purge(repos, now);
  const since = ago(now, days * DAY_MS);
  const connected = await repos.reach.connectedUsers(orgId);
  // A user added yesterday has not had `days` days to open it: counting them would fire on every new deployment.
  const notOpened = connected.filter(
    (user) => user.added_at <= since && (user.reported_at === null || user.reported_at < since),
  ).length;
  return { days, notOpened, signInFailing: await repos.reach.signInFailing(orgId, since) };
}
