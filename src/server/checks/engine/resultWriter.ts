/**
 * Batches finished checks into few transactions without losing any: a result is counted as done only after its
 * batch is durable, so a crash before the write leaves that user without a result and the resumed run checks it.
 */
import type { CheckResultRecord, CheckRunStore, RunProgress } from "./types.js";

export interface ResultWriterOptions {
  /** Flush when this many results wait. */
  batchSize: number;
  /** Flush at the latest this long after the first waiting result. */
  flushIntervalMs: number;
  /** Workers wait for the write in progress when more than this many results are not yet durable. */
  maxPending: number;
}

export class ResultWriter {
  private buffer: CheckResultRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private pending = 0;
  private timer: NodeJS.Timeout | null = null;
  private failure: unknown = null;
  private durable: RunProgress;

  constructor(
    private readonly store: CheckRunStore,
    private readonly runId: string,
    initial: RunProgress,
    private readonly options: ResultWriterOptions,
    private readonly onDurable: (progress: RunProgress) => void,
    private readonly onFailure: (error: unknown) => void,
  ) {
    this.durable = { done: initial.done, counts: { ...initial.counts } };
  }

  get progress(): RunProgress {
    return this.durable;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Queues one result; resolves at once unless too many results are waiting for the database (back-pressure). */
  async add(record: CheckResultRecord): Promise<void> {
    if (this.failure !== null) return;
    this.buffer.push(record);
    this.pending += 1;
    if (this.buffer.length >= this.options.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushIntervalMs);
    if (this.pending > this.options.maxPending) await this.writing;
  }

  /** Writes everything queued so far; resolves when it is durable (or the store failed). */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0) return this.writing;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  /** Flushes and reports whether every queued result is durable. */
  async close(): Promise<boolean> {
    await this.flush();
    return this.failure === null;
  }

  private async write(batch: CheckResultRecord[]): Promise<void> {
    if (this.failure !== null) return;
    let next: RunProgress;
    try {
      next = await this.store.recordResults(this.runId, batch);
    } catch (error) {
      this.failure = error;
      this.onFailure(error);
      return;
    }
    this.durable = next;
    this.pending -= batch.length;
    this.onDurable(next);
  }
}
