/**
 * The check runner: checks every pending user of a run through a MailboxDriver, each request inside a slot of the
 * service account's adaptive budget (slots.ts), bounded jittered retries of transient outcomes (throttling answers
 * are the budget's business and use up no attempt) and a per-request timeout; stops at the first
 * refused service-account credential (retrying would lock the account out); persists each result as it completes.
 * Users are streamed from the store in pages, so memory does not grow with the organization.
 */
import { setMaxListeners } from "node:events";
import { CATEGORIES, isThrottling, stopsRun } from "../../../contract/categories.js";
import type { CategoryId } from "../../../contract/categories.js";
import type { CheckDepth, CheckOutcome, MailboxDriver, MailboxPlacement } from "../../exchange/driver.js";
import { CHECK_DEFAULTS } from "../../config.js";
import { PauseLedger, type SlotAnswer } from "./adaptiveBudget.js";
import { ResultWriter } from "./resultWriter.js";
import type { BudgetSpec, ConcurrencySlots } from "./requestSlots.js";
import { abortableSleep } from "./sleep.js";
import type { CheckResultRecord, CheckRunStore, CheckTargetRow, RunProgress } from "./types.js";

export interface RunnerSettings {
  /** Concurrent requests the service account's budget starts from. */
  concurrency: number;
  /** The budget never grows above this (CHECK_MAX_CONCURRENCY); defaults to `concurrency`. */
  maxConcurrency?: number;
  /** Attempts per user for transient outcomes, the first included; throttling answers do not count. */
  maxAttempts: number;
  /** Throttling answers one user may get before it is reported as such (a server that throttles only them). */
  maxThrottledAnswers: number;
  /** The run ends `throttled` once the server's pauses add up to more than this. */
  maxThrottledWaitMs: number;
  requestTimeoutMs: number;
  /** Full-jitter exponential retry delay: random(0, min(retryMaxMs, retryBaseMs * 2^(attempt-1))). */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Shared pause after a throttling answer that names no delay (bare 503, ErrorServerBusy without a hint). */
  defaultBackOffMs: number;
  /** Longest shared pause honoured; a server asking for more gets this much per attempt. */
  maxBackOffMs: number;
  pageSize: number;
  flushBatchSize: number;
  flushIntervalMs: number;
  maxPendingResults: number;
}

export const DEFAULT_RUNNER_SETTINGS: RunnerSettings = {
  ...CHECK_DEFAULTS,
  retryMaxMs: 5_000,
  maxBackOffMs: 60_000,
  maxThrottledAnswers: 10,
  flushBatchSize: 200,
  flushIntervalMs: 100,
  maxPendingResults: 2_000,
};

export type RunEnd =
  | { state: "completed"; progress: RunProgress }
  | { state: "cancelled"; progress: RunProgress }
  | { state: "auth_failed"; progress: RunProgress; category: CategoryId; detail: string | null }
  | { state: "throttled"; progress: RunProgress; detail: string }
  | { state: "failed"; progress: RunProgress; detail: string };

export interface RunChecksInput {
  runId: string;
  depth: CheckDepth;
  driver: MailboxDriver;
  store: CheckRunStore;
  settings: RunnerSettings;
  /** Where each request takes its slot, and the service account's budget it counts against. */
  slots: ConcurrencySlots;
  budgetKey: string;
  /** The profile the run checks through: each result names it. Absent: null (the default profile). */
  profileId?: string | null;
  /** The profile a user whose answer placed their mailbox elsewhere would be placed in (null: none reaches it). */
  suggestProfile?: (placement: MailboxPlacement) => string | null;
  /** Progress already durable (a resumed run continues from its stored counts). */
  initial: RunProgress;
  /** Only the users of this chunk (PostgreSQL's queued runs); absent: every user of the run. */
  chunk?: { after: string | null; last: string };
  /**
   * The run's throttled waiting so far, shared by the chunks one process works (the run-level limit counts them
   * all); absent: this call's own.
   */
  throttledWait?: PauseLedger;
  /** Aborted when an admin cancels the run or the server shuts down. */
  signal: AbortSignal;
  /** Called after each durable batch. */
  onProgress?: (progress: RunProgress) => void;
  /** Called once every user has been handed to a worker: only requests in flight are left (the chunk drains). */
  onDrained?: () => void;
  random?: () => number;
  log?: (message: string, error?: unknown) => void;
}

const MAX_DETAIL_LENGTH = 1_000;

export async function runChecks(input: RunChecksInput): Promise<RunEnd> {
  const { settings } = input;
  const random = input.random ?? Math.random;
  const stop = new AbortController();
  // Every worker waiting for a slot or a request listens to it: one listener each, by design.
  setMaxListeners(0, stop.signal);
  const onCancel = (): void => stop.abort();
  if (input.signal.aborted) stop.abort();
  else input.signal.addEventListener("abort", onCancel, { once: true });

  const ceiling = Math.max(settings.concurrency, settings.maxConcurrency ?? settings.concurrency);
  const budget: BudgetSpec = { key: input.budgetKey, initial: settings.concurrency, ceiling };
  const throttledWait = input.throttledWait ?? new PauseLedger();
  // Set from the workers' closures; an object keeps TypeScript from narrowing them to their initial null.
  const ended: {
    stopReason: { category: CategoryId; detail: string | null } | null;
    failure: string | null;
    throttled: string | null;
  } = { stopReason: null, failure: null, throttled: null };
  const fail = (detail: string, error: unknown): void => {
    ended.failure ??= detail;
    input.log?.(detail, error);
    stop.abort();
  };
  const writer = new ResultWriter(
    input.store,
    input.runId,
    input.initial,
    {
      batchSize: settings.flushBatchSize,
      flushIntervalMs: settings.flushIntervalMs,
      maxPending: settings.maxPendingResults,
    },
    (progress) => input.onProgress?.(progress),
    (error) => fail("results could not be saved", error),
  );

  const targets = pendingTargets(input.store, input.runId, settings.pageSize, stop.signal, input.chunk);

  const checkOne = async (target: CheckTargetRow): Promise<CheckResultRecord | null> => {
    const started = Date.now();
    let attempt = 0;
    let throttles = 0;
    for (let sent = 1; ; sent += 1) {
      const slot = await input.slots.acquire(budget, stop.signal);
      if (slot === null) return null;
      const outcome = await attemptCheck(input.driver, target, input.depth, settings.requestTimeoutMs, stop.signal);
      const throttled = outcome !== null && isThrottling(outcome.category);
      const pauseMs = Math.min(outcome?.backOffMs ?? settings.defaultBackOffMs, settings.maxBackOffMs);
      // Throttling is the service account's budget: the slots pause everyone. Other hints concern this mailbox only.
      slot.release(answerOf(outcome, throttled, pauseMs));
      if (outcome === null) return null;
      const { severity } = CATEGORIES[outcome.category];
      if (throttled) {
        throttles += 1;
        throttledWait.extend(Date.now(), pauseMs);
        if (throttledWait.totalMs > settings.maxThrottledWaitMs) {
          ended.throttled ??= `the server kept throttling: ${Math.round(throttledWait.totalMs / 1000)} s of pauses`;
          stop.abort();
          return null;
        }
      } else attempt += 1;
      const exhausted = throttled ? throttles >= settings.maxThrottledAnswers : attempt >= settings.maxAttempts;
      if (severity !== "transient" || exhausted) {
        return toRecord(target, outcome, sent, Date.now() - started, input);
      }
      const backOff = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** (Math.max(attempt, throttles) - 1));
      // After a throttling answer the slots already waited what the server asked; the jitter only spreads
      // the retries, so it stays within that wait instead of idling the worker longer.
      const ceiling = throttled ? Math.min(backOff, outcome.backOffMs ?? settings.defaultBackOffMs) : backOff;
      const jitter = Math.round(random() * ceiling);
      // A mailbox's own Retry-After (moving, store unavailable) is honoured up to retryMaxMs for its retry.
      const mailboxHint = throttled ? 0 : Math.min(outcome.backOffMs ?? 0, settings.retryMaxMs);
      await abortableSleep(Math.max(jitter, mailboxHint), stop.signal);
    }
  };

  let drainedOnce = false;
  const drained = (): void => {
    if (drainedOnce) return;
    drainedOnce = true;
    input.onDrained?.();
  };
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      let next: IteratorResult<CheckTargetRow>;
      try {
        next = await targets.next();
      } catch (error) {
        fail("users to check could not be read", error);
        return;
      }
      if (next.done === true) {
        drained();
        return;
      }
      const record = await checkOne(next.value);
      if (record === null) return;
      if (stopsRun(record.category)) {
        ended.stopReason ??= { category: record.category, detail: record.detail };
        stop.abort();
        return;
      }
      await writer.add(record);
    }
  };

  try {
    // One worker per slot the budget could ever grant; the budget decides how many are in flight.
    await Promise.all(Array.from({ length: ceiling }, () => worker()));
  } finally {
    input.signal.removeEventListener("abort", onCancel);
    await targets.return(undefined);
  }
  const saved = await writer.close();
  const progress = writer.progress;
  if (!saved || ended.failure !== null) {
    return { state: "failed", progress, detail: ended.failure ?? "results could not be saved" };
  }
  if (ended.stopReason !== null) return { state: "auth_failed", progress, ...ended.stopReason };
  if (ended.throttled !== null) return { state: "throttled", progress, detail: ended.throttled };
  if (input.signal.aborted) return { state: "cancelled", progress };
  return { state: "completed", progress };
}

async function* pendingTargets(
  store: CheckRunStore,
  runId: string,
  pageSize: number,
  signal: AbortSignal,
  chunk: { after: string | null; last: string } | undefined,
): AsyncGenerator<CheckTargetRow, void, undefined> {
  let after: string | null = chunk?.after ?? null;
  while (!signal.aborted) {
    const page = await store.pendingTargets(runId, after, pageSize, chunk?.last ?? null);
    for (const target of page) yield target;
    if (page.length < pageSize) return;
    after = page[page.length - 1]?.userId ?? null;
  }
}

/** What the budget learns from an answer: throttling, a clean answer, or nothing (no answer, a transport failure). */
function answerOf(outcome: CheckOutcome | null, throttled: boolean, pauseMs: number): SlotAnswer {
  if (outcome === null) return { kind: "neutral" };
  if (throttled) return { kind: "throttled", backOffMs: pauseMs };
  return CATEGORIES[outcome.category].severity === "transient" ? { kind: "neutral" } : { kind: "clean" };
}

const STOPPED = Symbol("stopped");
const TIMED_OUT = Symbol("timed out");

/**
 * One request for one user, bounded by the per-request timeout. The driver gets a signal that aborts on timeout or
 * stop; the race guards against a driver that ignores it. Null means the run stopped: the outcome is discarded.
 */
async function attemptCheck(
  driver: MailboxDriver,
  target: CheckTargetRow,
  depth: CheckDepth,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<CheckOutcome | null> {
  const request = new AbortController();
  let settle: (why: typeof STOPPED | typeof TIMED_OUT) => void = () => undefined;
  const interrupted = new Promise<typeof STOPPED | typeof TIMED_OUT>((resolve) => (settle = resolve));
  const onStop = (): void => {
    request.abort();
    settle(STOPPED);
  };
  stop.addEventListener("abort", onStop, { once: true });
  const timer = setTimeout(() => {
    request.abort();
    settle(TIMED_OUT);
  }, timeoutMs);
  const started = Date.now();
  try {
    const answer = await Promise.race([
      driver.checkUser({ email: target.email }, depth, request.signal).catch((error: unknown): CheckOutcome => ({
        category: "unknown_error",
        detail: `internal error while checking: ${error instanceof Error ? error.message : String(error)}`,
        steps: [],
      })),
      interrupted,
    ]);
    if (stop.aborted || answer === STOPPED) return null;
    if (answer === TIMED_OUT || (request.signal.aborted && answer.category !== "ok")) {
      return {
        category: "timeout",
        detail: `no answer within ${timeoutMs} ms`,
        steps: [{ step: "request", ok: false, category: "timeout", durationMs: Date.now() - started }],
      };
    }
    return answer;
  } finally {
    clearTimeout(timer);
    stop.removeEventListener("abort", onStop);
  }
}

function toRecord(
  target: CheckTargetRow,
  outcome: CheckOutcome,
  attempts: number,
  durationMs: number,
  profile: Pick<RunChecksInput, "profileId" | "suggestProfile">,
): CheckResultRecord {
  const placement = outcome.placement ?? null;
  return {
    userId: target.userId,
    email: target.email,
    category: outcome.category,
    detail: outcome.detail === undefined ? null : outcome.detail.slice(0, MAX_DETAIL_LENGTH),
    primarySmtpAddress: outcome.primarySmtpAddress ?? null,
    httpStatus: outcome.httpStatus ?? null,
    attempts,
    durationMs,
    steps: outcome.steps.map((step) =>
      step.detail === undefined ? step : { ...step, detail: step.detail.slice(0, MAX_DETAIL_LENGTH) },
    ),
    capabilities: outcome.capabilities ?? null,
    profileId: profile.profileId ?? null,
    suggestedProfileId: placement === null ? null : (profile.suggestProfile?.(placement) ?? null),
    placement:
      placement === null ? null : { where: placement.where, evidence: placement.evidence.slice(0, MAX_DETAIL_LENGTH) },
    checkedAt: new Date(),
  };
}
