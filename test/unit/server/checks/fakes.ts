/** Test doubles for the runner: an in-memory CheckRunStore and its users (the mailbox driver is test/support's). */
import type {
  CheckResultRecord,
  CheckRunStore,
  CheckTargetRow,
  RunProgress,
} from "../../../../src/server/checks/engine/types.js";

export class MemoryRunStore implements CheckRunStore {
  readonly results = new Map<string, CheckResultRecord>();
  readonly progressWrites: RunProgress[] = [];
  readonly pageRequests: Array<{ after: string | null; limit: number }> = [];
  failWrites = false;

  constructor(readonly targets: CheckTargetRow[]) {
    this.targets = [...targets].sort((a, b) => (a.userId < b.userId ? -1 : 1));
  }

  pendingTargets(
    _runId: string,
    after: string | null,
    limit: number,
    last: string | null = null,
  ): Promise<CheckTargetRow[]> {
    this.pageRequests.push({ after, limit });
    const page = this.targets
      .filter(
        (target) =>
          (after === null || target.userId > after) &&
          (last === null || target.userId <= last) &&
          !this.results.has(target.userId),
      )
      .slice(0, limit);
    return Promise.resolve(page);
  }

  async recordResults(_runId: string, results: CheckResultRecord[]): Promise<RunProgress> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.failWrites) throw new Error("disk full");
    for (const result of results) {
      if (this.results.has(result.userId)) throw new Error(`duplicate result for ${result.userId}`);
      this.results.set(result.userId, result);
    }
    const counts: RunProgress["counts"] = {};
    for (const result of this.results.values()) counts[result.category] = (counts[result.category] ?? 0) + 1;
    const progress = { done: this.results.size, counts };
    this.progressWrites.push(progress);
    return progress;
  }
}

export function targets(count: number): CheckTargetRow[] {
  return Array.from({ length: count }, (_, index) => ({
    userId: `u${String(index).padStart(5, "0")}`,
    email: `user${index}@contoso.test`,
  }));
}
