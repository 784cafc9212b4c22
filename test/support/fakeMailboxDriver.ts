/**
 * The one fake mailbox driver for tests: a scriptable MailboxDriver.
 *
 * - preflight gives `preflightReport` (passes by default; `refuse(category)` makes it refuse the service account);
 * - each user's answer comes from the script given to the constructor, else from `failing` (address → category),
 *   else `ok`;
 * - `delayMs` makes every check wait (an abort ends the wait with `timeout`); while `hold` is set, every check waits
 *   for it first;
 * - every call is recorded (`calls`, `checked`, `callsFor`, `peakInFlight`), and so is each preflight (`preflights`).
 */
import type { CategoryId } from "../../src/contract/categories.js";
import type {
  CheckDepth,
  CheckOutcome,
  DirectoryListing,
  MailboxDriver,
  PreflightReport,
  RoomsOutcome,
} from "../../src/server/exchange/driver.js";

/** The answer for one user's `attempt`-th check (1 for the first). */
export type AnswerScript = (
  email: string,
  attempt: number,
  signal: AbortSignal,
) => Promise<CheckOutcome> | CheckOutcome;

export interface DriverCall {
  email: string;
  startedAt: number;
  endedAt: number | null;
}

/** A preflight that lets the run go on. */
export function passingPreflight(): PreflightReport {
  return {
    canProceed: true,
    steps: [{ step: "GetFolder (service account)", ok: true, category: "ok", durationMs: 1 }],
    warnings: [],
  };
}

/** A preflight that stops the run before any user, on `category` (by default the service account's sign-in). */
export function refusedPreflight(category: CategoryId = "auth_failed", detail?: string): PreflightReport {
  return {
    canProceed: false,
    steps: [
      {
        step: "Sign in (service account)",
        ok: false,
        category,
        ...(detail === undefined ? {} : { detail }),
        durationMs: 1,
      },
    ],
    warnings: [],
  };
}

/** A user's answer with one GetFolder step of the same category. */
export function outcome(category: CategoryId, extra: Partial<CheckOutcome> = {}): CheckOutcome {
  return { category, steps: [{ step: "GetFolder", ok: category === "ok", category, durationMs: 1 }], ...extra };
}

/** Resolves with `value` after `ms`; rejects when `signal` aborts first. */
export function delay<T>(ms: number, value: T, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    });
  });
}

/** App-only (Exchange Online): the access type whose changes settle (RBAC for Applications), so alerts wait. */
export const APP_ONLY_CONFIG = {
  accessType: "graph_app_only",
  appOnly: {
    tenantId: "0b7e8c3a-1f2d-4e5a-9b6c-7d8e9f0a1b2c",
    clientId: "6a1f3b2c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    clientSecret: "app~secret~value",
  },
};

/** An EWS Basic configuration the email-config route accepts (the fake driver ignores what it says). */
export const EWS_CONFIG = {
  accessType: "ews_basic_impersonation",
  ewsUrl: "https://mail.contoso.test/EWS/Exchange.asmx",
  accountLogon: "svc@contoso.test",
  password: "pw",
};

export class FakeMailboxDriver implements MailboxDriver {
  /** What preflight answers; passes by default. */
  preflightReport: PreflightReport = passingPreflight();
  /** Address → the category it answers, for addresses the script does not answer. */
  failing = new Map<string, CategoryId>();
  /** While set, every user's check waits for it. */
  hold: Promise<void> | null = null;
  /** Each check waits this long first; an abort during the wait answers `timeout`. */
  delayMs = 0;
  /** What listRooms answers; null: listRooms rejects (not used). */
  rooms: RoomsOutcome | null = null;
  /** What listDirectory answers; null: listDirectory rejects (not used). */
  directory: DirectoryListing | null = null;
  /** Every checkUser call, in the order they started. */
  readonly calls: DriverCall[] = [];
  /** Addresses whose check got past `hold` and `delayMs`, in that order (assignable, to reset). */
  checked: string[] = [];
  /** The depth of each preflight call. */
  readonly preflights: Array<CheckDepth | undefined> = [];
  peakInFlight = 0;
  private inFlight = 0;
  private readonly attempts = new Map<string, number>();

  constructor(private readonly script: AnswerScript | null = null) {}

  /** Preflight refuses from now on, on `category`. */
  refuse(category: CategoryId = "auth_failed", detail?: string): void {
    this.preflightReport = refusedPreflight(category, detail);
  }

  /** Preflight passes again. */
  accept(): void {
    this.preflightReport = passingPreflight();
  }

  preflight(_signal: AbortSignal, depth?: CheckDepth): Promise<PreflightReport> {
    this.preflights.push(depth);
    return Promise.resolve(this.preflightReport);
  }

  listRooms(): Promise<RoomsOutcome> {
    return this.rooms === null ? Promise.reject(new Error("not used")) : Promise.resolve(this.rooms);
  }

  listDirectory(): Promise<DirectoryListing> {
    return this.directory === null ? Promise.reject(new Error("not used")) : Promise.resolve(this.directory);
  }

  async checkUser(target: { email: string }, _depth: CheckDepth, signal: AbortSignal): Promise<CheckOutcome> {
    const attempt = (this.attempts.get(target.email) ?? 0) + 1;
    this.attempts.set(target.email, attempt);
    const call: DriverCall = { email: target.email, startedAt: Date.now(), endedAt: null };
    this.calls.push(call);
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      if (this.hold !== null) await this.hold;
      if (this.delayMs > 0 && !(await this.waited(this.delayMs, signal))) return outcome("timeout");
      this.checked.push(target.email);
      if (this.script !== null) return await this.script(target.email, attempt, signal);
      return outcome(this.failing.get(target.email) ?? "ok");
    } finally {
      this.inFlight -= 1;
      call.endedAt = Date.now();
    }
  }

  /** How many checks `email` has had. */
  callsFor(email: string): number {
    return this.calls.filter((call) => call.email === email).length;
  }

  /** True once `ms` passed, false when `signal` aborted first. */
  private waited(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const timer = setTimeout(() => resolve(true), ms);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  }
}
