/** Test doubles for the runner: an in-memory CheckRunStore and a scriptable MailboxDriver. */
import type { CategoryId } from "../../../../src/contract/categories.js";
import type { CheckDepth, CheckOutcome, MailboxDriver } from "../../../../src/server/exchange/driver.js";
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

export interface DriverCall {
  email: string;
  startedAt: number;
  endedAt: number | null;
}

type Script = (email: string, attempt: number, signal: AbortSignal) => Promise<CheckOutcome> | CheckOutcome;

/** A driver whose answer per user and attempt comes from a script; it records every call and the peak concurrency. */
export class ScriptedDriver implements MailboxDriver {
  readonly calls: DriverCall[] = [];
  private inFlight = 0;
  peakInFlight = 0;
  private readonly attempts = new Map<string, number>();

  constructor(private readonly script: Script) {}

  preflight(): Promise<never> {
    return Promise.reject(new Error("not used by the runner"));
  }

  listRooms(): Promise<never> {
    return Promise.reject(new Error("not used by the runner"));
  }

  async checkUser(target: { email: string }, _depth: CheckDepth, signal: AbortSignal): Promise<CheckOutcome> {
    const attempt = (this.attempts.get(target.email) ?? 0) + 1;
    this.attempts.set(target.email, attempt);
    const call: DriverCall = { email: target.email, startedAt: Date.now(), endedAt: null };
    this.calls.push(call);
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      return await this.script(target.email, attempt, signal);
    } finally {
      this.inFlight -= 1;
      call.endedAt = Date.now();
    }
  }

  callsFor(email: string): number {
    return this.calls.filter((call) => call.email === email).length;
  }
}

export function outcome(category: CategoryId, extra: Partial<CheckOutcome> = {}): CheckOutcome {
  return { category, steps: [{ step: "GetFolder", ok: category === "ok", category, durationMs: 1 }], ...extra };
}

export function delay<T>(ms: number, value: T, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    });
  });
}
