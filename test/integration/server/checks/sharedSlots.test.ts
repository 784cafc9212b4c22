/**
 * The budget shared by several backend processes on PostgreSQL: two SharedSlots (two processes' worth, each with its
 * own connection pool) on one schema never have more requests in flight together than the budget, the slots of
 * one that dies (stops renewing) come back to the other once their leases expire, and one that stops sending (its
 * chunks of a run are done) leaves its share to the other, taking rows again before it sends again.
 */
import { setMaxListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import { SharedSlots } from "../../../../src/server/checks/cluster/sharedSlots.js";
import type { BudgetSpec } from "../../../../src/server/checks/engine/requestSlots.js";
import { openDatabase, type Database } from "../../../../src/server/db/database.js";
import { migrateToLatest } from "../../../../src/server/domains.js";
import { openTestPostgres, postgresEnabled, TEST_DATABASE_URL, type TestPostgres } from "../../../support/postgres.js";

const BUDGET: BudgetSpec = { key: "org-1:ews:svc@contoso.test", initial: 8, ceiling: 8 };
const LEASES = { ttlMs: 600, renewMs: 100, idleMs: 60_000 };

describe.runIf(await postgresEnabled())("concurrency slots shared through PostgreSQL", () => {
  let postgres: TestPostgres;
  let second: Database;

  beforeAll(async () => {
    postgres = await openTestPostgres("shared_slots");
    await migrateToLatest(postgres.database.db as unknown as Kysely<unknown>);
    second = await openDatabase(TEST_DATABASE_URL, { schema: postgres.schema });
  });

  afterAll(async () => {
    await second.close();
    await postgres.drop();
  });

  it("keeps the sum of in-flight requests within the budget, and hands a dead process's slots to the other", async () => {
    const alpha = new SharedSlots(postgres.database.db, { holder: "alpha", ...LEASES });
    const beta = new SharedSlots(second.db, { holder: "beta", ...LEASES });
    let inFlight = 0;
    let peak = 0;
    const served = { alpha: 0, beta: 0 };
    const stop = new AbortController();
    // Twelve workers of each process wait on it, as the runner's workers wait on their run's stop signal.
    setMaxListeners(0, stop.signal);
    const worker = async (slots: SharedSlots, name: "alpha" | "beta", signal: AbortSignal): Promise<void> => {
      while (!signal.aborted) {
        const slot = await slots.acquire(BUDGET, signal);
        if (slot === null) return;
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 3));
        inFlight -= 1;
        served[name] += 1;
        slot.release({ kind: "clean" });
      }
    };
    const alphaStop = new AbortController();
    const workers = [
      ...Array.from({ length: 12 }, () => worker(alpha, "alpha", AbortSignal.any([stop.signal, alphaStop.signal]))),
      ...Array.from({ length: 12 }, () => worker(beta, "beta", stop.signal)),
    ];
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect(peak).toBeLessThanOrEqual(BUDGET.ceiling);
    expect(served.alpha).toBeGreaterThan(0);
    expect(served.beta).toBeGreaterThan(0);
    expect(alpha.heldOf(BUDGET.key) + beta.heldOf(BUDGET.key)).toBeLessThanOrEqual(BUDGET.ceiling);

    // Alpha dies: its workers stop and it renews nothing; its rows stay until they expire.
    alphaStop.abort();
    await alpha.abandon();
    const diedAt = Date.now();
    while (beta.heldOf(BUDGET.key) < BUDGET.ceiling && Date.now() - diedAt < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    expect(beta.heldOf(BUDGET.key)).toBe(BUDGET.ceiling);
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual(LEASES.ttlMs - 2 * LEASES.renewMs);
    stop.abort();
    await Promise.all(workers);
    await beta.close();
    expect(peak).toBeLessThanOrEqual(BUDGET.ceiling);
  });

  it("gives an idle process's share to the busy one, and takes rows again before the idle one sends again", async () => {
    const idleSoon = { ...LEASES, idleMs: 300 };
    const busy = new SharedSlots(postgres.database.db, { holder: "busy", ...idleSoon });
    const resting = new SharedSlots(second.db, { holder: "resting", ...idleSoon });
    const key: BudgetSpec = { ...BUDGET, key: "org-2:ews:svc@contoso.test" };
    let inFlight = 0;
    let peak = 0;
    const send = async (slots: SharedSlots, signal: AbortSignal): Promise<void> => {
      while (!signal.aborted) {
        const slot = await slots.acquire(key, signal);
        if (slot === null) return;
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 3));
        inFlight -= 1;
        slot.release({ kind: "clean" });
      }
    };
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    const restingStop = new AbortController();
    const busyWorkers = Array.from({ length: 12 }, () => send(busy, stop.signal));
    const restingWorkers = Array.from({ length: 12 }, () =>
      send(resting, AbortSignal.any([stop.signal, restingStop.signal])),
    );
    const until = async (condition: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 5_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    await until(() => busy.heldOf(key.key) === 4 && resting.heldOf(key.key) === 4, "the fair shares");

    // The resting process stops sending: after idleMs it gives its rows back, and the busy one takes all of them.
    restingStop.abort();
    await Promise.all(restingWorkers);
    await until(
      () => resting.heldOf(key.key) === 0 && busy.heldOf(key.key) === key.ceiling,
      "the busy one's full share",
    );

    // It sends again: its requests wait for rows of its own, and the shares meet again at half each.
    const again = Array.from({ length: 12 }, () => send(resting, stop.signal));
    await until(() => busy.heldOf(key.key) === 4 && resting.heldOf(key.key) === 4, "the fair shares again");
    stop.abort();
    await Promise.all([...busyWorkers, ...again]);
    await busy.close();
    await resting.close();
    expect(peak).toBeLessThanOrEqual(key.ceiling);
  });
});
