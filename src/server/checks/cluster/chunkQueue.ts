/**
 * PostgreSQL: a check run's users as chunk jobs in pg-boss, which every backend process on the database works.
 * A job names its run and its bounds (user ids), never a user list. pg-boss retries a job whose handler failed,
 * and expires one left active too long (its process died); the service also hands back at once the job of a
 * process that died (its advisory lock on the chunk went with its connection), so a dead process's chunk is not
 * waiting for the expiry. On SQLite there is no queue: one process runs every run itself.
 */
import PgBoss from "pg-boss";

export interface ChunkJob {
  runId: string;
  orgId: string;
  /** Users ordered by id strictly after this one (null: from the first)… */
  after: string | null;
  /** …up to this one, included. */
  last: string;
}

export interface ChunkQueue {
  /**
   * Queues one run's jobs, to be taken in the order given, round-robin with other runs' (job i of every run before
   * job i + 1 of any), and wakes this process's idle workers.
   */
  enqueue(jobs: ChunkJob[]): Promise<void>;
  /**
   * Starts taking jobs in this process: up to `capacity` at once (a CPU cap), and at most `perRun` of one run (the
   * rest of a run stays in the queue for other processes and is never held here waiting on the run's budget). A
   * rejected handler retries its job.
   */
  work(intake: ChunkIntake, handler: ChunkHandler): Promise<void>;
  /** Jobs active for longer than `olderThanMs`: the candidates whose process may have died. */
  activeJobs(olderThanMs: number): Promise<Array<{ id: string; data: ChunkJob }>>;
  /** Jobs of the run not yet done (queued, waiting to retry or active). */
  openJobs(runId: string): Promise<number>;
  /** Fails an active job so pg-boss offers it again now (its process died). */
  retryNow(jobId: string): Promise<void>;
  /** Stops fetching, waits (up to `timeoutMs`) for the handlers in flight, then closes. */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Works one job; calls `draining` once only its last requests are in flight, when the job stops counting against its
 * run's `perRun` (the run's next chunk may start here while this one drains).
 */
export type ChunkHandler = (job: ChunkJob, jobId: string, draining: () => void) => Promise<void>;

export interface ChunkIntake {
  /** Jobs this process works at once, whatever their runs: a CPU cap (CHECK_CHUNK_WORKERS). */
  capacity: number;
  /** Jobs of one run this process works at once. */
  perRun: number;
}

export const CHUNK_QUEUE = "sync_sidebar_check_chunks";

export interface PgBossQueueOptions {
  connectionString: string;
  /** The schema pg-boss keeps its tables in. */
  schema: string;
  /** A job active this long is failed by pg-boss's maintenance and retried (the backstop for a dead process). */
  expireInSeconds: number;
  log: (message: string, error?: unknown) => void;
}

/** Attempts per chunk: each process death or shutdown mid-chunk uses one; a chunk past this stays failed. */
const RETRY_LIMIT = 50;
const POLL_SECONDS = 0.5;

export class PgBossChunkQueue implements ChunkQueue {
  private intake: Intake | null = null;

  private constructor(
    private readonly boss: PgBoss,
    private readonly schema: string,
    private readonly log: (message: string, error?: unknown) => void,
  ) {}

  static async start(options: PgBossQueueOptions): Promise<PgBossChunkQueue> {
    const boss = new PgBoss({
      connectionString: options.connectionString,
      schema: options.schema,
      max: 4,
      application_name: "sync-sidebar-queue",
      // No cron schedules here; the monitoring scheduler has its own clock.
      schedule: false,
      maintenanceIntervalSeconds: 30,
      monitorStateIntervalSeconds: 60,
    });
    boss.on("error", (error: Error) => options.log("check chunk queue error", error));
    await boss.start();
    await boss.createQueue(CHUNK_QUEUE, {
      name: CHUNK_QUEUE,
      retryLimit: RETRY_LIMIT,
      retryDelay: 0,
      expireInSeconds: options.expireInSeconds,
    });
    return new PgBossChunkQueue(boss, options.schema, options.log);
  }

  async enqueue(jobs: ChunkJob[]): Promise<void> {
    if (jobs.length === 0) return;
    // Round-robin across runs: jobs are fetched by priority, and a chunk's priority is minus its index in its run, so
    // every run's first chunk comes before any run's second (a big organization's chunks never all outrank a small
    // one's only chunk); within a run, in the order given (the big chunks first, the small tail last).
    await this.boss.insert(jobs.map((data, index) => ({ name: CHUNK_QUEUE, data, priority: -index })));
    this.intake?.wake();
  }

  work(intake: ChunkIntake, handler: ChunkHandler): Promise<void> {
    this.intake = new Intake(intake, handler, {
      fetch: (excludedRuns) => this.fetchOne(excludedRuns),
      complete: async (id) => {
        await this.boss.complete(CHUNK_QUEUE, id);
      },
      fail: async (id, error) => {
        await this.boss.fail(CHUNK_QUEUE, id, { message: error instanceof Error ? error.message : String(error) });
      },
      log: this.log,
    });
    this.intake.wake();
    return Promise.resolve();
  }

  /**
   * pg-boss's own fetch (the highest priority, then the oldest), but never a job of a run named in `excludedRuns`:
   * the runs this process already works as many chunks of as it may. One job at a time, so a batch never holds two
   * chunks of one run either.
   */
  private async fetchOne(excludedRuns: string[]): Promise<{ id: string; data: ChunkJob } | null> {
    const { rows } = await this.boss.getDb().executeSql(
      `with next as (
         select id from "${this.schema}".job
         where name = $1 and state < 'active' and start_after < now() and not (data->>'runId' = any($2::text[]))
         order by priority desc, created_on, id
         limit 1
         for update skip locked
       )
       update "${this.schema}".job j set
         state = 'active',
         started_on = now(),
         retry_count = case when started_on is not null then retry_count + 1 else retry_count end
       from next where j.name = $1 and j.id = next.id
       returning j.id, j.data`,
      [CHUNK_QUEUE, excludedRuns],
    );
    return (rows[0] as { id: string; data: ChunkJob } | undefined) ?? null;
  }

  async activeJobs(olderThanMs: number): Promise<Array<{ id: string; data: ChunkJob }>> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `select id, data from "${this.schema}".job where name = $1 and state = 'active' and started_on < now() - $2 * interval '1 millisecond'`,
        [CHUNK_QUEUE, olderThanMs],
      );
    return rows as Array<{ id: string; data: ChunkJob }>;
  }

  async openJobs(runId: string): Promise<number> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `select count(*) as open from "${this.schema}".job where name = $1 and state < 'completed' and data->>'runId' = $2`,
        [CHUNK_QUEUE, runId],
      );
    return Number((rows[0] as { open?: string } | undefined)?.open ?? 0);
  }

  async retryNow(jobId: string): Promise<void> {
    await this.boss.fail(CHUNK_QUEUE, jobId, { message: "the process working this chunk went away" });
  }

  async stop(timeoutMs: number): Promise<void> {
    await this.intake?.stop(timeoutMs);
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
  }
}

interface IntakeJobs {
  fetch(excludedRuns: string[]): Promise<{ id: string; data: ChunkJob } | null>;
  complete(id: string): Promise<void>;
  fail(id: string, error: unknown): Promise<void>;
  log: (message: string, error?: unknown) => void;
}

/**
 * This process's intake of chunk jobs: takes jobs while it works fewer than `capacity` and skips the runs it works
 * `perRun` chunks of, so a run's chunks waiting on its own service account's budget never hold a place another
 * organization's chunk could use. Looks again at once when a job here settles (the process that finished a run's
 * chunk is the first to take its next one) or one is queued here, else every POLL_SECONDS.
 */
class Intake {
  private readonly active = new Map<string, Promise<void>>();
  private readonly perRun = new Map<string, number>();
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: ChunkIntake,
    private readonly handler: ChunkHandler,
    private readonly jobs: IntakeJobs,
  ) {}

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.fill().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.wake();
      } else this.poll();
    });
  }

  private poll(): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, POLL_SECONDS * 1000);
  }

  private async fill(): Promise<void> {
    while (!this.stopped && this.active.size < this.limits.capacity) {
      const excluded = [...this.perRun].filter(([, count]) => count >= this.limits.perRun).map(([runId]) => runId);
      let job: { id: string; data: ChunkJob } | null;
      try {
        job = await this.jobs.fetch(excluded);
      } catch (error) {
        this.jobs.log("check chunks could not be fetched", error);
        return;
      }
      if (job === null) return;
      if (this.stopped) {
        // Taken as the process stops: straight back to the queue.
        await this.jobs.fail(job.id, new Error("this process is shutting down")).catch(() => undefined);
        return;
      }
      this.begin(job.id, job.data);
    }
  }

  private begin(id: string, data: ChunkJob): void {
    this.perRun.set(data.runId, (this.perRun.get(data.runId) ?? 0) + 1);
    let counted = true;
    const uncount = (): void => {
      if (!counted) return;
      counted = false;
      const left = (this.perRun.get(data.runId) ?? 1) - 1;
      if (left <= 0) this.perRun.delete(data.runId);
      else this.perRun.set(data.runId, left);
    };
    const settled = Promise.resolve()
      .then(() =>
        this.handler(data, id, () => {
          uncount();
          this.wake();
        }),
      )
      .then(
        () => this.jobs.complete(id),
        (error: unknown) => this.jobs.fail(id, error),
      )
      .catch((error: unknown) => this.jobs.log("a check chunk's outcome could not be recorded", error))
      .finally(() => {
        this.active.delete(id);
        uncount();
        this.wake();
      });
    this.active.set(id, settled);
  }

  /** Takes no more jobs and waits (up to `timeoutMs`) for the ones in flight to settle. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.active.values()]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }
}
