/**
 * What a finished run leaves in the history: each user's failing state compared with the previous run (status
 * changes: started failing, recovered), and the rows the history APIs answer with.
 */
import {
  CATEGORIES,
  failingCount,
  isCategoryId,
  isFailing,
  type CategoryId,
  type Severity,
} from "../../contract/categories.js";
import type { CheckRunDto } from "../../contract/checks.js";
import type {
  CheckRunTrigger,
  FailingUserDto,
  RunHistoryEntryDto,
  StatusChangeDto,
} from "../../contract/monitoring.js";
import type { MonitoringRepository } from "./repository.js";
import type { MonitoringRunHistoryTable, MonitoringStatusChangesTable, MonitoringUserStatusTable } from "./tables.js";

export interface UserResult {
  userId: string;
  email: string;
  category: CategoryId;
}

/**
 * Records each checked user's state and the changes it made; answers who is newly failing and how many users fail
 * now (those this run did not check keep their last state).
 */
export async function recordStatusChanges(
  store: MonitoringRepository,
  run: Pick<CheckRunDto, "id" | "orgId" | "finishedAt">,
  results: AsyncIterable<UserResult[]>,
  now: string,
): Promise<{ newlyFailing: string[]; failingNow: number }> {
  const before = new Map((await store.userStatuses(run.orgId)).map((status) => [status.user_id, status]));
  const at = run.finishedAt ?? now;
  const statuses: MonitoringUserStatusTable[] = [];
  const changes: Array<Omit<MonitoringStatusChangesTable, "id">> = [];
  const newlyFailing: string[] = [];
  for await (const page of results) {
    for (const result of page) {
      const failing = isFailing(result.category);
      const previous = before.get(result.userId);
      const wasFailing = previous !== undefined && Number(previous.failing) === 1;
      // A user seen for the first time changes only by failing; one who is fine was never "recovered".
      const changed = previous === undefined ? failing : wasFailing !== failing;
      statuses.push({
        org_id: run.orgId,
        user_id: result.userId,
        email: result.email,
        failing: failing ? 1 : 0,
        category: result.category,
        since: changed || previous === undefined ? at : previous.since,
        run_id: run.id,
      });
      before.delete(result.userId);
      if (!changed) continue;
      if (failing) newlyFailing.push(result.email);
      changes.push({
        org_id: run.orgId,
        user_id: result.userId,
        email: result.email,
        change: failing ? "started_failing" : "recovered",
        category: result.category,
        previous_category: previous?.category ?? null,
        detail: null,
        run_id: run.id,
        at,
      });
    }
  }
  await store.recordStatuses(statuses, changes);
  const notChecked = [...before.values()].filter((status) => Number(status.failing) === 1).length;
  return { newlyFailing, failingNow: notChecked + statuses.filter((status) => status.failing === 1).length };
}

export function categoryOf(value: string): CategoryId {
  return isCategoryId(value) ? value : "unknown_error";
}

function severityCountsOf(counts: Partial<Record<CategoryId, number>>): Record<Severity, number> {
  const severityCounts: Record<Severity, number> = { ok: 0, warning: 0, error: 0, transient: 0 };
  for (const [category, count] of Object.entries(counts)) {
    severityCounts[CATEGORIES[categoryOf(category)].severity] += count ?? 0;
  }
  return severityCounts;
}

export function toHistoryEntry(row: MonitoringRunHistoryTable): RunHistoryEntryDto {
  const counts = JSON.parse(row.counts_json) as Partial<Record<CategoryId, number>>;
  const severityCounts = severityCountsOf(counts);
  return {
    runId: row.run_id,
    trigger: row.run_trigger as CheckRunTrigger,
    state: row.state,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    total: Number(row.total),
    counts,
    severityCounts,
    health: {
      connected: severityCounts.ok,
      needsAttention: severityCounts.warning,
      failing: failingCount(counts),
    },
    stopReason:
      row.stop_message === null
        ? null
        : { category: row.stop_category === null ? null : categoryOf(row.stop_category), message: row.stop_message },
  };
}

export function toStatusChangeDto(row: MonitoringStatusChangesTable): StatusChangeDto {
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    change: row.change === "recovered" || row.change === "moved" ? row.change : "started_failing",
    category: categoryOf(row.category),
    previousCategory: row.previous_category === null ? null : categoryOf(row.previous_category),
    detail: row.detail ?? null,
    runId: row.run_id,
    at: row.at,
  };
}

export function toFailingUserDto(row: MonitoringUserStatusTable): FailingUserDto {
  return { userId: row.user_id, email: row.email, category: categoryOf(row.category), since: row.since };
}
