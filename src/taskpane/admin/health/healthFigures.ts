import type { FailingUserDto, RunHistoryEntryDto, StatusChangeDto } from "../../../contract/monitoring";

/** One run as the chart and its table show it: oldest first, a label unique within the list. */
export interface RunFigures {
  runId: string;
  label: string;
  startedAt: string;
  trigger: RunHistoryEntryDto["trigger"];
  connected: number;
  needsAttention: number;
  failing: number;
  /** Users in scope the run did not check because it stopped early (0 for a finished run). */
  notChecked: number;
  /** Why the run stopped early, in a few words ("the service account was refused"); null when it finished. */
  stopped: string | null;
  /** The server's message for the stop, when it gave one. */
  stopDetail: string | null;
}

/** A stopped run's reason in a few words, by how it ended. */
const STOPPED: Record<string, string> = {
  auth_failed: "the service account was refused",
  preflight_failed: "preflight found a blocking problem",
  throttled: "the server kept throttling the service account",
  failed: "the server could not go on",
  cancelled: "an admin cancelled it",
};

/** Why a run stopped early, or null for one that finished (or is still going). */
export function stoppedReason(run: Pick<RunHistoryEntryDto, "state">): string | null {
  return STOPPED[run.state] ?? null;
}

export const TRIGGER_LABELS: Record<RunHistoryEntryDto["trigger"], string> = {
  manual: "Manual",
  scheduled: "Scheduled",
  after_change: "After a change",
};

function dayKey(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

/**
 * The history (newest first, as the API pages it) turned oldest-first for a left-to-right trend. A run is labelled
 * by its day ("Dec 2"), with the time only when several runs share that day, so the axis stays short at 320 px.
 */
export function runFigures(history: RunHistoryEntryDto[], locale?: string): RunFigures[] {
  const perDay = new Map<string, number>();
  for (const run of history) perDay.set(dayKey(run.startedAt), (perDay.get(dayKey(run.startedAt)) ?? 0) + 1);
  const seen = new Map<string, number>();
  return [...history].reverse().map((run) => {
    const shared = (perDay.get(dayKey(run.startedAt)) ?? 0) > 1;
    const base = new Date(run.startedAt).toLocaleString(locale, {
      month: "short",
      day: "numeric",
      ...(shared ? { hour: "2-digit", minute: "2-digit" } : {}),
    });
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    // The chart's x-axis is a band per label: two runs in the same minute must not share one bar.
    const label = count === 1 ? base : `${base} (${count})`;
    return {
      runId: run.runId,
      label,
      startedAt: run.startedAt,
      trigger: run.trigger,
      connected: run.health.connected,
      needsAttention: run.health.needsAttention,
      failing: run.health.failing,
      ...stopFigures(run),
    };
  });
}

function stopFigures(run: RunHistoryEntryDto): Pick<RunFigures, "notChecked" | "stopped" | "stopDetail"> {
  const stopped = stoppedReason(run);
  if (stopped === null) return { notChecked: 0, stopped: null, stopDetail: null };
  const checked = run.health.connected + run.health.needsAttention + run.health.failing;
  return { notChecked: Math.max(0, run.total - checked), stopped, stopDetail: run.stopReason?.message ?? null };
}

/** The newest run that has finished: the one "newly failing" compares with the run before it. */
export function latestFinishedRun(history: RunHistoryEntryDto[]): RunHistoryEntryDto | null {
  return history.find((run) => run.finishedAt !== null) ?? null;
}

/** Users who started failing in the given run (status changes, newest first, any run). */
/** The users a run re-placed because their mailbox answered from the other place (Automatic placement). */
export function movedIn(changes: StatusChangeDto[], runId: string | null): StatusChangeDto[] {
  if (!runId) return [];
  return changes.filter((change) => change.runId === runId && change.change === "moved");
}

export function newlyFailing(changes: StatusChangeDto[], runId: string | null): StatusChangeDto[] {
  if (!runId) return [];
  return changes.filter((change) => change.runId === runId && change.change === "started_failing");
}

/** "3 days", "5 hours", "12 minutes" ("under a minute"): how long since `since`, in its largest whole unit. */
export function failingFor(since: string, now: Date = new Date(), locale?: string): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 60_000));
  if (minutes === 0) return "under a minute";
  const [value, unit] =
    minutes >= 1440
      ? [Math.floor(minutes / 1440), "day"]
      : minutes >= 60
        ? [Math.floor(minutes / 60), "hour"]
        : [minutes, "minute"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(value);
}

/** Failing users, longest-failing first (the API's order, kept when it is already so). */
export function byLongestFailing(users: FailingUserDto[]): FailingUserDto[] {
  return [...users].sort((a, b) => new Date(a.since).getTime() - new Date(b.since).getTime());
}
