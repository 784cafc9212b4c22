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
  /** Starts `workers` workers in this process, each working one job at a time; a rejected handler retries it. */
  work(workers: number, handler: (job: ChunkJob, jobId: string) => Promise<void>): Promise<void>;
  /** Jobs active for longer than `olderThanMs`: the candidates whose process may have died. */
  activeJobs(olderThanMs: number): Promise<Array<{ id: string; data: ChunkJob }>>;
  /** Jobs of the run not yet done (queued, waiting to retry or active). */
  openJobs(runId: string): Promise<number>;
  /** Fails an active job so pg-boss offers it again now (its process died). */
  retryNow(jobId: string): Promise<void>;
  /** Stops fetching, waits (up to `timeoutMs`) for the handlers in flight, then closes. */
  stop(timeoutMs: number): Promise<void>;
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
  private readonly workerIds: string[] = [];

  private constructor(
    private readonly boss: PgBoss,
    private readonly schema: string,
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
    return new PgBossChunkQueue(boss, options.schema);
  }

  async enqueue(jobs: ChunkJob[]): Promise<void> {
    if (jobs.length === 0) return;
    // Round-robin across runs: pg-boss fetches by priority, and a chunk's priority is minus its index in its run, so
    // every run's first chunk comes before any run's second (a big organization's chunks never all outrank a small
    // one's only chunk); within a run, in the order given (the big chunks first, the small tail last).
    await this.boss.insert(jobs.map((data, index) => ({ name: CHUNK_QUEUE, data, priority: -index })));
    for (const id of this.workerIds) this.boss.notifyWorker(id);
  }

  async work(workers: number, handler: (job: ChunkJob, jobId: string) => Promise<void>): Promise<void> {
    for (let index = 0; index < workers; index += 1) {
      const id = await this.boss.work<ChunkJob>(
        CHUNK_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: POLL_SECONDS },
        async (jobs) => {
          for (const job of jobs) await handler(job.data, job.id);
        },
      );
      this.workerIds.push(id);
    }
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
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
  }
}
