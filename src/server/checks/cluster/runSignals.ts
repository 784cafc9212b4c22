/**
 * What the backend processes on one PostgreSQL database tell each other about check runs: a cancel (the process
 * driving the run stops it), new progress and the end (a process whose clients follow the run's events reads the
 * durable state and forwards it). Over LISTEN/NOTIFY on one channel; the payload names only the run.
 * On SQLite there is one process and nothing to tell.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type pg from "pg";
import type { Db } from "../../db/database.js";
import type { RunSignal, RunSignals } from "../runExecutor.js";

const CHANNEL = "sync_sidebar_check_runs";
const RECONNECT_MS = 1_000;

export class PostgresRunSignals implements RunSignals {
  private client: pg.Client | null = null;
  private readonly handlers: Array<(signal: RunSignal) => void> = [];
  private closed = false;
  private reconnect: NodeJS.Timeout | null = null;
  private readonly instance = randomUUID();
  private queries: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    /** A dedicated connection on the database's schema (Database.openClient). */
    private readonly openClient: () => Promise<pg.Client>,
    private readonly log: (message: string, error?: unknown) => void,
  ) {}

  /** Starts listening; resolves once LISTEN is in force (a signal sent after this is received). */
  async start(): Promise<void> {
    const client = await this.openClient();
    client.on("notification", (message) => this.receive(message.payload));
    client.on("error", (error) => {
      this.log("check run signals: the listening connection failed", error);
      this.client = null;
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  async publish(signal: Omit<RunSignal, "from">): Promise<void> {
    const payload = JSON.stringify({ ...signal, from: this.instance });
    await sql`select pg_notify(${CHANNEL}, ${payload})`.execute(this.db);
  }

  subscribe(handler: (signal: RunSignal) => void): void {
    this.handlers.push(handler);
  }

  async claim(runId: string): Promise<boolean> {
    const client = this.client;
    if (client === null) return false;
    const result = await this.serially(() =>
      client.query<{ claimed: boolean }>("select pg_try_advisory_lock(hashtext($1)) as claimed", [
        `check_run:${runId}`,
      ]),
    );
    return result.rows[0]?.claimed === true;
  }

  async release(runId: string): Promise<void> {
    const client = this.client;
    if (client === null) return;
    await this.serially(() => client.query("select pg_advisory_unlock(hashtext($1))", [`check_run:${runId}`]));
  }

  /** One query at a time on the listening connection (the locks live there; pg wants no overlapping queries). */
  private serially<T>(query: () => Promise<T>): Promise<T> {
    const next = this.queries.then(query, query);
    this.queries = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnect !== null) clearTimeout(this.reconnect);
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnect !== null) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      this.start().catch((error: unknown) => {
        this.log("check run signals: could not listen again", error);
        this.scheduleReconnect();
      });
    }, RECONNECT_MS);
  }

  private receive(payload: string | undefined): void {
    let signal: RunSignal;
    try {
      signal = JSON.parse(payload ?? "") as RunSignal;
    } catch {
      return;
    }
    if (signal.from === this.instance) return;
    for (const handler of this.handlers) handler(signal);
  }
}
