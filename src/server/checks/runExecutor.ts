/**
 * Where a run's checks execute once its preflight passed, chosen once in app.ts: in this process (SQLite, one
 * process: engine/inProcessExecutor.ts), or as pg-boss chunk jobs every process on the database works (PostgreSQL:
 * cluster/queuedRuns.ts). The lifecycle (service.ts) starts, cancels, resumes and reads runs through this interface
 * and never asks which one it has.
 */
import type { CheckRunRecord } from "./repository.js";
import type { CheckedRun } from "./engine/runEngine.js";

export interface RunSignal {
  kind: "cancel" | "progress" | "end";
  orgId: string;
  runId: string;
  /** The instance that sent it (each ignores its own). */
  from: string;
}

/** What the processes sharing the database tell each other about runs; one process has nobody to tell. */
export interface RunSignals {
  publish(signal: Omit<RunSignal, "from">): Promise<void>;
  /**
   * Claims driving a run (its preflight, or all of it in one process): on PostgreSQL a session advisory lock, so it is
   * released when the process dies. False when another live process holds it (or the connection is down).
   */
  claim(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
  subscribe(handler: (signal: RunSignal) => void): void;
  close(): Promise<void>;
}

/** Why the lifecycle aborted a run it drives: an admin's cancel ends it; a shutdown leaves it to resume. */
export interface RunControl {
  signal: AbortSignal;
  stop(): "cancel" | "shutdown" | null;
}

export interface RunExecutor {
  /** How the service accounts' budgets are kept (for /api/health). */
  readonly budget: "in-process" | "postgres";
  readonly signals: RunSignals;
  /** Starts taking work (on PostgreSQL this process's chunk workers, which take their share of every queued run). */
  start(): Promise<void>;
  /**
   * Checks the users of a run whose preflight passed, with the driver the preflight used. Resolves once this
   * process's part is done (in-process: the run ended, or a shutdown stopped it) or handed on (queued).
   */
  execute(run: CheckedRun, control: RunControl): Promise<void>;
  /**
   * Helps the interrupted runs it carries itself (the queue's runs) and returns the ones the lifecycle must drive
   * again from their preflight.
   */
  recover(interrupted: CheckRunRecord[]): Promise<CheckRunRecord[]>;
  /** The run ended (cancelled here or elsewhere): this process stops sending its requests. */
  stopRun(runId: string): void;
  /** Resolves once nothing of the run executes here and, across processes, once the run has ended. */
  settled(runId: string): Promise<void>;
  /** Whether this process works the run outside the lifecycle's own drive (some of its chunks). */
  has(runId: string): boolean;
  count(): number;
  secondsLeft(runId: string, total: number): number | null;
  /** Hands back what this process works (chunks go to the other processes) and closes the budget and signals. */
  close(): Promise<void>;
}

/** One process: every claim is granted and there is nobody to tell. */
export const ONE_PROCESS_SIGNALS: RunSignals = {
  publish: () => Promise.resolve(),
  claim: () => Promise.resolve(true),
  release: () => Promise.resolve(),
  subscribe: () => undefined,
  close: () => Promise.resolve(),
};
