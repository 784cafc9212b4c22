/**
 * PostgreSQL: the part of a check run after its preflight, as chunk jobs (chunkQueue.ts) that every backend process
 * works. Each chunk checks its users with the same runner as SQLite's single process, inside the service account's
 * budget shared over the database (sharedSlots.ts); progress is the run's durable counts, whoever wrote them. The
 * chunk that leaves no user pending ends the run; a run-stopping answer (the account refused, the server throttling
 * past the run's limit) ends it from whichever chunk met it, and the others stop on the end signal. A process that
 * shuts down hands its chunks back; one that dies leaves them to the others (its chunk locks died with it).
 */
import type { FastifyBaseLogger } from "fastify";
import type { CheckRunRecord, CheckRunsRepository } from "../repository.js";
import type { RunConfigs } from "../runConfigs.js";
import type { RunExecutor, RunSignals } from "../runExecutor.js";
import type { RunReporter } from "../runReporter.js";
import type { ConcurrencySlots } from "../engine/requestSlots.js";
import { checkedRun, finishOf, type CheckedRun, type RunEngine } from "../engine/runEngine.js";
import type { CheckSettings } from "../engine/runSettings.js";
import type { ChunkJob, ChunkQueue } from "./chunkQueue.js";

/** The smallest chunk the tail of a run is cut into. */
const MIN_CHUNK_USERS = 25;
/** The tail's chunks shrink so that about this many cover what is left (guided scheduling). */
const TAIL_SPREAD = 8;

/**
 * Chunk sizes for a run of `total` users: `chunkUsers` each, then smaller and smaller ones (an eighth of what is left,
 * at least 25): the processes run out of work together, instead of one working a whole last chunk while the others'
 * shares of the budget idle.
 */
export function chunkSizes(total: number, chunkUsers: number): number[] {
  const sizes: number[] = [];
  let left = total;
  while (left > 0) {
    const size = Math.min(left, chunkUsers, Math.max(MIN_CHUNK_USERS, Math.ceil(left / TAIL_SPREAD)));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

export interface QueuedRunsDeps {
  queue: ChunkQueue;
  runs: CheckRunsRepository;
  settings: CheckSettings;
  /** The service accounts' budgets shared over the database (closed with this executor). */
  slots: ConcurrencySlots;
  signals: RunSignals;
  engine: RunEngine;
  reporter: Pick<RunReporter, "end" | "fail">;
  /** The configuration and driver a process joining a queued run checks its chunks with. */
  configs: Pick<RunConfigs, "of" | "driverFor">;
  log: FastifyBaseLogger;
}

interface WorkedRun {
  run: CheckedRun;
  controller: AbortController;
  /** Why the controller aborted: the run ended (elsewhere or here), or this process shuts down. */
  stop: "ended" | "shutdown" | null;
  /** Chunk handlers of this run in flight here, and when the last one settles. */
  chunks: Set<Promise<void>>;
}

/** How long a run's state stays here after its last chunk, for its next one. */
const LINGER_MS = 2_000;
/** Chunks of one run one process works at once: each saturates the process's share of the run's budget. */
const CHUNKS_PER_RUN = 1;

/** An active chunk job older than this whose lock nobody holds belongs to a dead process. */
const STALE_CHUNK_MS = 5_000;

export class QueuedRuns implements RunExecutor {
  readonly budget = "postgres";
  readonly signals: RunSignals;

  private readonly worked = new Map<string, WorkedRun>();
  /**
   * Runs whose last chunk here just ended, kept a moment for their next chunk: this process takes it first (it looks
   * at once), and that chunk reuses the run's driver (its warm, authenticated connections) and ledgers.
   */
  private readonly lingering = new Map<string, { worked: WorkedRun; timer: NodeJS.Timeout }>();
  /** Runs being joined (their configuration and driver being built), so concurrent chunks build them once. */
  private readonly joining = new Map<string, Promise<WorkedRun | null>>();
  /** Job ids this process works: never handed back as a dead process's. */
  private readonly jobsHere = new Set<string>();
  private closing = false;

  constructor(private readonly deps: QueuedRunsDeps) {
    this.signals = deps.signals;
  }

  /**
   * Starts this process's intake of chunks: up to CHECK_CHUNK_WORKERS at once (a CPU cap), one per run, and the
   * run's next one as soon as the current one drains (only its last requests in flight). A run's chunk works inside
   * its service account's share of the budget; a second one of the same run here would only wait on that share,
   * holding a place another organization's chunk could use, so it stays in the queue.
   */
  async start(): Promise<void> {
    await this.deps.queue.work(
      { capacity: this.deps.settings.queue.workersPerProcess, perRun: CHUNKS_PER_RUN },
      (job, jobId, draining) => this.handle(job, jobId, draining),
    );
  }

  /** PostgreSQL: every process, this one included, works the run's chunks from here on. */
  async execute(run: CheckedRun): Promise<void> {
    await this.enqueue(run.record);
  }

  /** Queues a run whose preflight passed: from now on the queue carries it, not the process that started it. */
  private async enqueue(run: CheckRunRecord): Promise<void> {
    const chunks = await this.deps.runs.chunksOf(run.id, chunkSizes(run.total, this.deps.settings.queue.chunkUsers));
    await this.deps.queue.enqueue(chunks.map((chunk) => ({ runId: run.id, orgId: run.orgId, ...chunk })));
    await this.deps.runs.markQueued(run.id);
  }

  has(runId: string): boolean {
    return this.worked.has(runId);
  }

  /** The run's state kept after its last chunk here, taken back by its next chunk (null: none kept). */
  private takeLingering(runId: string): WorkedRun | null {
    const kept = this.lingering.get(runId);
    if (kept === undefined) return null;
    clearTimeout(kept.timer);
    this.lingering.delete(runId);
    return kept.worked.stop === null ? kept.worked : null;
  }

  private linger(worked: WorkedRun): void {
    const runId = worked.run.record.id;
    const timer = setTimeout(() => this.lingering.delete(runId), LINGER_MS);
    timer.unref();
    this.lingering.set(runId, { worked, timer });
  }

  count(): number {
    return this.worked.size;
  }

  secondsLeft(runId: string, total: number): number | null {
    return this.worked.get(runId)?.run.eta.secondsLeft(total) ?? null;
  }

  /** Resolves once no chunk of the run is worked here and the run has ended (its last chunks may be elsewhere). */
  async settled(runId: string): Promise<void> {
    for (;;) {
      await this.chunksSettled(runId);
      const state = await this.deps.runs.stateOf(runId);
      if (state !== "preflight" && state !== "running") return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async chunksSettled(runId: string): Promise<void> {
    for (;;) {
      const worked = this.worked.get(runId);
      if (worked === undefined || worked.chunks.size === 0) return;
      await Promise.allSettled([...worked.chunks]);
    }
  }

  /** The run ended (a cancel, or a chunk elsewhere ended it): this process stops its chunks of it. */
  stopRun(runId: string): void {
    this.takeLingering(runId);
    const worked = this.worked.get(runId);
    if (worked === undefined) return;
    worked.stop ??= "ended";
    worked.controller.abort();
  }

  /**
   * Hands back the chunks of processes that died (their job is active, its lock free) so another takes them now
   * rather than at the job's expiry; and re-queues a queued run left with no job (or ends it when nothing is left).
   */
  async recover(interrupted: CheckRunRecord[]): Promise<CheckRunRecord[]> {
    const { queue, signals, log, runs } = this.deps;
    const queuedRuns = interrupted.filter((run) => run.queuedAt !== null);
    for (const job of await queue.activeJobs(STALE_CHUNK_MS)) {
      if (this.jobsHere.has(job.id) || !(await signals.claim(chunkLock(job.id)))) continue;
      await signals.release(chunkLock(job.id));
      log.warn({ runId: job.data.runId, jobId: job.id }, "a check chunk's process went away; handing it back");
      await queue.retryNow(job.id);
    }
    for (const run of queuedRuns) {
      if ((await queue.openJobs(run.id)) > 0) continue;
      if ((await runs.pendingCount(run.id)) === 0) {
        await this.deps.reporter.end(run, { state: "completed", progress: await runs.progressOf(run.id) });
        continue;
      }
      log.warn({ runId: run.id }, "a queued check run had no chunk left; queuing its pending users again");
      await this.enqueue(run);
    }
    // A run not yet queued was in its preflight: the lifecycle drives it again if nobody else does.
    return interrupted.filter((run) => run.queuedAt === null);
  }

  /**
   * Shutdown: stops every chunk here (each goes back to the queue for another process), then the workers, then
   * gives back this process's budget rows and stops listening.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const runId of [...this.lingering.keys()]) this.takeLingering(runId);
    for (const worked of this.worked.values()) {
      worked.stop = "shutdown";
      worked.controller.abort();
    }
    await Promise.allSettled([...this.worked.values()].flatMap((worked) => [...worked.chunks]));
    await this.deps.queue.stop(10_000);
    await this.deps.slots.close?.();
    await this.deps.signals.close();
  }

  private async handle(job: ChunkJob, jobId: string, draining: () => void): Promise<void> {
    if (this.closing) throw new Error("this process is shutting down; another one takes the chunk");
    this.jobsHere.add(jobId);
    // While this lock is held the other processes know the chunk's process is alive.
    await this.deps.signals.claim(chunkLock(jobId));
    try {
      const joined = await this.join(job);
      if (joined === null) return;
      // Another chunk of the run may have ended here meanwhile and let the run's state go: the newest one counts.
      const current = this.worked.get(job.runId);
      if (current === undefined) this.worked.set(job.runId, joined);
      const worked = current ?? joined;
      if (worked.stop === "shutdown") throw new Error("this process is shutting down; another one takes the chunk");
      if (worked.stop === "ended") return;
      const chunk = this.workChunk(worked, job, draining);
      worked.chunks.add(chunk);
      try {
        await chunk;
      } finally {
        worked.chunks.delete(chunk);
        if (worked.chunks.size === 0 && this.worked.get(job.runId) === worked) {
          this.worked.delete(job.runId);
          if (worked.stop === null && !this.closing) this.linger(worked);
        }
      }
    } finally {
      await this.deps.signals.release(chunkLock(jobId)).catch(() => undefined);
      this.jobsHere.delete(jobId);
    }
  }

  /** This process's state for the job's run: built by the first of its chunks here; null when the run ended. */
  private join(job: ChunkJob): Promise<WorkedRun | null> {
    const present = this.worked.get(job.runId);
    if (present !== undefined && present.stop === null) return Promise.resolve(present);
    const kept = this.takeLingering(job.runId);
    if (kept !== null) {
      this.worked.set(job.runId, kept);
      return Promise.resolve(kept);
    }
    let joining = this.joining.get(job.runId);
    if (joining === undefined) {
      joining = this.build(job).finally(() => this.joining.delete(job.runId));
      this.joining.set(job.runId, joining);
    }
    return joining;
  }

  private async build(job: ChunkJob): Promise<WorkedRun | null> {
    const record = await this.deps.runs.get(job.orgId, job.runId);
    if (record === null || record.state !== "running") return null;
    const resolved = await this.deps.configs.of(record);
    if (!resolved.ok) {
      await this.deps.reporter.fail(record, resolved.detail);
      return null;
    }
    const worked: WorkedRun = {
      run: checkedRun(
        record,
        resolved.config,
        this.deps.configs.driverFor(record.orgId, resolved.config, record.profileId ?? undefined),
        record.profileId ?? record.orgId,
      ),
      controller: new AbortController(),
      stop: null,
      chunks: new Set(),
    };
    this.worked.set(record.id, worked);
    return worked;
  }

  private async workChunk(worked: WorkedRun, job: ChunkJob, draining: () => void): Promise<void> {
    const { runs, reporter } = this.deps;
    const run = worked.run.record;
    // Once its last users are in flight, the run's next chunk may start here: no gap in the run's share of the budget.
    const end = await this.deps.engine.check(
      worked.run,
      worked.controller.signal,
      { after: job.after, last: job.last },
      draining,
    );
    if (end.state === "cancelled") {
      // A shutdown hands the chunk back (the job fails and is retried elsewhere); an ended run needs nothing more.
      if (worked.stop === "shutdown") throw new Error("this process shut down mid-chunk; another one finishes it");
      return;
    }
    if (end.state === "completed") {
      if ((await runs.pendingCount(run.id)) > 0) return;
      await reporter.end(run, { state: "completed", progress: await runs.progressOf(run.id) });
      return;
    }
    // The service account was refused, the server kept throttling, or results could not be saved: the run ends.
    await reporter.end(run, { ...finishOf(end), progress: await runs.progressOf(run.id) });
    this.stopRun(run.id);
  }
}

function chunkLock(jobId: string): string {
  return `chunk:${jobId}`;
}
