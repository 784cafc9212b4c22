/**
 * Concurrency slots per budget key (one service account or app registration): the runner acquires one before each
 * request and releases it with what the server answered. In one process (SQLite, the embedded default) the slots are
 * the adaptive budget in memory; on PostgreSQL with several processes a shared implementation keeps the sum of
 * in-flight requests within the same budget.
 */
import type { ResolvedEmailConfig } from "../../exchange/config.js";
import { AdaptiveBudget, type BudgetTicket, type SlotAnswer } from "./adaptiveBudget.js";

export type { SlotAnswer } from "./adaptiveBudget.js";

export interface BudgetSpec {
  /** Who the server counts requests against: see budgetKeyOf. */
  key: string;
  /** The limit a budget new to this key starts from (the run's configured concurrency). */
  initial: number;
  /** Never more in flight than this (CHECK_MAX_CONCURRENCY). */
  ceiling: number;
}

export interface ConcurrencySlot {
  release(answer: SlotAnswer): void;
}

export interface ConcurrencySlots {
  /** Waits for a free slot of the key's budget; null when the signal aborted first. */
  acquire(budget: BudgetSpec, signal: AbortSignal): Promise<ConcurrencySlot | null>;
  /** The key's current limit (for logs, health and tests); null when the key was never used. */
  limitOf(key: string): number | null;
  /** Gives back what the slots hold outside this process (called once no run is driven any more). */
  close?(): Promise<void>;
}

/** The principal the server throttles: the service account's logon, or the app registration. */
export function budgetKeyOf(orgId: string, config: ResolvedEmailConfig): string {
  switch (config.accessType) {
    case "ews_basic_impersonation":
      return `${orgId}:ews:${config.accountLogon.toLowerCase()}`;
    case "ews_oauth_impersonation":
      return `${orgId}:ews-oauth:${config.serviceAccount.homeAccountId ?? config.serviceAccount.username ?? ""}`;
    case "graph_app_only":
      return `${orgId}:graph:${config.tenantId}:${config.clientId}`;
  }
}

interface Waiter {
  resolve: (slot: ConcurrencySlot | null) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

interface KeyState {
  budget: AdaptiveBudget;
  waiters: Waiter[];
  timer: NodeJS.Timeout | null;
}

/** The in-process slots: one adaptive budget per key, kept (with what it learned) while the process runs. */
export class InProcessSlots implements ConcurrencySlots {
  private readonly keys = new Map<string, KeyState>();

  /** `initialShare`: slots a new key may use before anyone says how many (sharedSlots.ts starts at 0). */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly initialShare = Number.POSITIVE_INFINITY,
  ) {}

  acquire(spec: BudgetSpec, signal: AbortSignal): Promise<ConcurrencySlot | null> {
    if (signal.aborted) return Promise.resolve(null);
    const state = this.stateOf(spec);
    if (state.waiters.length === 0) {
      const ticket = state.budget.tryAcquire();
      if (ticket !== null) return Promise.resolve(this.slot(state, ticket));
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        signal,
        onAbort: () => {
          state.waiters = state.waiters.filter((candidate) => candidate !== waiter);
          resolve(null);
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      state.waiters.push(waiter);
      this.pump(state);
    });
  }

  limitOf(key: string): number | null {
    return this.keys.get(key)?.budget.limit ?? null;
  }

  /** Caps the key's slots at this process's share of a budget other processes use too. */
  setShare(key: string, slots: number): void {
    const state = this.keys.get(key);
    if (state === undefined) return;
    state.budget.setShare(slots);
    this.pump(state);
  }

  /** Requests in flight and requests waiting for a slot, for the key. */
  usageOf(key: string): { inFlight: number; waiting: number } {
    const state = this.keys.get(key);
    return { inFlight: state?.budget.inFlight ?? 0, waiting: state?.waiters.length ?? 0 };
  }

  private stateOf(spec: BudgetSpec): KeyState {
    let state = this.keys.get(spec.key);
    if (state === undefined) {
      state = {
        budget: new AdaptiveBudget({ initial: spec.initial, ceiling: spec.ceiling }, this.now),
        waiters: [],
        timer: null,
      };
      state.budget.setShare(this.initialShare);
      this.keys.set(spec.key, state);
    }
    return state;
  }

  private slot(state: KeyState, ticket: BudgetTicket): ConcurrencySlot {
    let released = false;
    return {
      release: (answer) => {
        if (released) return;
        released = true;
        state.budget.release(ticket, answer);
        this.pump(state);
      },
    };
  }

  /** Hands free slots to waiters in order; while the server's pause lasts, comes back when it ends. */
  private pump(state: KeyState): void {
    while (state.waiters.length > 0) {
      const ticket = state.budget.tryAcquire();
      if (ticket === null) break;
      const waiter = state.waiters.shift() as Waiter;
      waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(this.slot(state, ticket));
    }
    const paused = state.budget.pausedMs();
    if (state.waiters.length > 0 && paused > 0 && state.timer === null) {
      state.timer = setTimeout(() => {
        state.timer = null;
        this.pump(state);
      }, paused);
    }
  }
}
