/**
 * Concurrency slots shared by every backend process on one PostgreSQL database: a budget of N slots per service
 * account is N lease rows (check_budget_leases, slot 0..N-1), each held by at most one process until it expires.
 * A process sends no more requests than the rows it holds, so the sum over processes never exceeds N. Each process
 * renews its rows every `renewMs` and takes its fair share (N over the processes that want slots, who say so in
 * check_budget_members); a process that
 * dies stops renewing and its rows expire after `ttlMs`, when the others take them. Inside its share a process runs
 * the adaptive budget in memory (InProcessSlots).
 */
import { sql } from "kysely";
import type { Db } from "../../db/database.js";
import {
  InProcessSlots,
  type BudgetSpec,
  type ConcurrencySlot,
  type ConcurrencySlots,
} from "../engine/requestSlots.js";

export interface SharedSlotsOptions {
  /** This process, as leases and health name it (PROCESS_NAME or hostname:pid). */
  holder: string;
  /** How long a lease lasts without renewal (a dead process's slots come back after this). */
  ttlMs: number;
  renewMs: number;
  /** A key nobody here used for this long gives its rows back. */
  idleMs: number;
  log?: (message: string, error?: unknown) => void;
}

/**
 * Leases last 10 s without renewal (every second): a killed process's slots come back within 10 s, and a process
 * that joins gets its share within about a second. A process that has sent nothing for 3 s (its chunks of a run are
 * done) leaves its share to the others.
 */
export const SHARED_SLOT_LEASES = { ttlMs: 10_000, renewMs: 1_000, idleMs: 3_000 } as const;
/** While a share is not yet what it should be (rows still in use, or not yet free), look again this soon… */
const SETTLE_MS = 100;
/** …for at most this long when rows are short (a budget that does not divide evenly never gives everyone its share). */
const SHORT_SETTLE_MS = 10_000;

interface KeyLease {
  spec: BudgetSpec;
  held: number[];
  lastUsedAt: number;
  /** Since when this process holds fewer rows than its fair share (null: not short). */
  shortSince: number | null;
}

export class SharedSlots implements ConcurrencySlots {
  private readonly local = new InProcessSlots(Date.now, 0);
  private readonly leases = new Map<string, KeyLease>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  /** A tick waits behind the one in progress: ticks never overlap (two would take or give the same rows). */
  private tickQueued = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: SharedSlotsOptions,
  ) {}

  async acquire(spec: BudgetSpec, signal: AbortSignal): Promise<ConcurrencySlot | null> {
    let lease = this.leases.get(spec.key);
    if (lease === undefined) {
      lease = { spec, held: [], lastUsedAt: Date.now(), shortSince: null };
      this.leases.set(spec.key, lease);
      const pending = this.local.acquire(spec, signal);
      this.schedule(0);
      return pending;
    }
    lease.lastUsedAt = Date.now();
    return this.local.acquire(spec, signal);
  }

  limitOf(key: string): number | null {
    return this.local.limitOf(key);
  }

  /** Slots of the key this process holds right now. */
  heldOf(key: string): number {
    return this.leases.get(key)?.held.length ?? 0;
  }

  /** Gives every row back (a clean shutdown); a killed process leaves them to expire. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.ticking;
    await sql`delete from check_budget_members where holder = ${this.options.holder}`
      .execute(this.db)
      .then(() => sql`delete from check_budget_leases where holder = ${this.options.holder}`.execute(this.db))
      .catch((error: unknown) => this.options.log?.("budget leases could not be released", error));
  }

  /** Stops renewing and leaves the rows to expire: what a killed process leaves behind (tests). */
  async abandon(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.ticking;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.tickQueued) return;
      this.tickQueued = true;
      this.ticking = this.ticking
        .then(() => {
          this.tickQueued = false;
          return this.tick();
        })
        .then(
          (settled) => this.schedule(settled ? this.options.renewMs : SETTLE_MS),
          (error: unknown) => {
            this.options.log?.("budget leases could not be renewed", error);
            this.schedule(this.options.renewMs);
          },
        );
    }, delayMs);
  }

  /**
   * Renews and rebalances every key; false when some share is not yet its fair size (a process joined or left). The
   * renewal of every key is three statements whatever the number of keys (a process may work hundreds of
   * organizations' runs at once); only a share that changes costs more.
   */
  private async tick(): Promise<boolean> {
    let settled = true;
    const active: Array<{ lease: KeyLease; inFlight: number }> = [];
    for (const [key, lease] of this.leases) {
      const usage = this.local.usageOf(key);
      const idle = usage.inFlight === 0 && usage.waiting === 0 && Date.now() - lease.lastUsedAt > this.options.idleMs;
      if (idle) {
        // No slot of the key may be granted without rows: the share goes first.
        this.local.setShare(key, 0);
        await this.giveBack(lease, lease.held);
        await sql`delete from check_budget_members where budget_key = ${key} and holder = ${this.options.holder}`.execute(
          this.db,
        );
        if (this.local.usageOf(key).waiting > 0) {
          // A request came meanwhile: it waits for rows taken again at the next tick, soon.
          settled = false;
          continue;
        }
        this.leases.delete(key);
        continue;
      }
      active.push({ lease, inFlight: usage.inFlight });
    }
    if (active.length === 0) return settled;
    const { holder, ttlMs } = this.options;
    const keys = active.map(({ lease }) => lease.spec.key);
    await sql`
      insert into check_budget_members (budget_key, holder, expires_at)
      values ${sql.join(keys.map((key) => sql`(${key}, ${holder}, now() + ${ttlMs} * interval '1 millisecond')`))}
      on conflict (budget_key, holder) do update set expires_at = excluded.expires_at`.execute(this.db);
    const renewed = await sql<{ budget_key: string; slot: number }>`
      update check_budget_leases set expires_at = now() + ${ttlMs} * interval '1 millisecond'
      where budget_key in (${sql.join(keys)}) and holder = ${holder} and expires_at > now()
      returning budget_key, slot`.execute(this.db);
    const members = await sql<{ budget_key: string; members: string | number }>`
      select budget_key, count(*) as members from check_budget_members
      where budget_key in (${sql.join(keys)}) and (holder = ${holder} or expires_at > now())
      group by budget_key`.execute(this.db);
    const heldByKey = new Map<string, number[]>();
    for (const row of renewed.rows) heldByKey.set(row.budget_key, [...(heldByKey.get(row.budget_key) ?? []), row.slot]);
    const membersByKey = new Map(members.rows.map((row) => [row.budget_key, Number(row.members)]));
    for (const { lease, inFlight } of active) {
      const key = lease.spec.key;
      lease.held = (heldByKey.get(key) ?? []).sort((a, b) => a - b);
      if (!(await this.rebalance(lease, inFlight, membersByKey.get(key) ?? 1))) settled = false;
    }
    return settled;
  }

  /**
   * With the rows held just renewed, moves towards the fair share: gives surplus back, takes free or expired rows.
   * True when the rows held are the fair share.
   */
  private async rebalance(lease: KeyLease, inFlight: number, members: number): Promise<boolean> {
    const { key, ceiling } = lease.spec;
    const { holder, ttlMs } = this.options;
    const fair = Math.max(1, Math.ceil(ceiling / Math.max(1, members)));
    if (lease.held.length > fair) {
      // Only slots no request of ours is using can go: shrink the share first, the rows once requests finish.
      this.local.setShare(key, fair);
      const surplus = lease.held.slice(Math.max(fair, inFlight));
      await this.giveBack(lease, surplus);
    } else if (lease.held.length < fair) {
      const wanted = fair - lease.held.length;
      const taken = await sql<{ slot: number }>`
        insert into check_budget_leases (budget_key, slot, holder, expires_at)
        select ${key}, s, ${holder}, now() + ${ttlMs} * interval '1 millisecond'
        from generate_series(0, ${ceiling - 1}::int) as s
        where not exists (
          select 1 from check_budget_leases l where l.budget_key = ${key} and l.slot = s and l.expires_at > now())
        order by random()
        limit ${wanted}
        on conflict (budget_key, slot) do update set holder = excluded.holder, expires_at = excluded.expires_at
          where check_budget_leases.expires_at <= now()
        returning slot`.execute(this.db);
      lease.held = [...lease.held, ...taken.rows.map((row) => row.slot)].sort((a, b) => a - b);
    }
    this.local.setShare(key, Math.min(lease.held.length, fair));
    // Surplus drains within one request's latency; a shortfall waits for another process's surplus, a while.
    if (lease.held.length > fair) return false;
    if (lease.held.length === fair) {
      lease.shortSince = null;
      return true;
    }
    lease.shortSince ??= Date.now();
    return Date.now() - lease.shortSince >= SHORT_SETTLE_MS;
  }

  private async giveBack(lease: KeyLease, slots: number[]): Promise<void> {
    if (slots.length === 0) return;
    await sql`
      delete from check_budget_leases
      where budget_key = ${lease.spec.key} and holder = ${this.options.holder} and slot in (${sql.join(slots)})`.execute(
      this.db,
    );
    lease.held = lease.held.filter((slot) => !slots.includes(slot));
  }
}
