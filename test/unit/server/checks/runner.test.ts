import { describe, expect, it } from "vitest";
import { DEFAULT_RUNNER_SETTINGS, runChecks } from "../../../../src/server/checks/engine/runner.js";
import type { RunChecksInput, RunnerSettings } from "../../../../src/server/checks/engine/runner.js";
import { InProcessSlots } from "../../../../src/server/checks/engine/requestSlots.js";
import type { RunProgress } from "../../../../src/server/checks/engine/types.js";
import { delay, FakeMailboxDriver, outcome } from "../../../support/fakeMailboxDriver.js";
import { MemoryRunStore, targets } from "./fakes.js";

const FAST: RunnerSettings = {
  ...DEFAULT_RUNNER_SETTINGS,
  concurrency: 4,
  retryBaseMs: 5,
  retryMaxMs: 20,
  defaultBackOffMs: 50,
  requestTimeoutMs: 1_000,
  pageSize: 7,
  flushBatchSize: 5,
  flushIntervalMs: 10,
};

function run(
  store: MemoryRunStore,
  driver: FakeMailboxDriver,
  overrides: Partial<Omit<RunChecksInput, "settings">> & { settings?: Partial<RunnerSettings> } = {},
) {
  const { settings, ...rest } = overrides;
  return runChecks({
    runId: "run-1",
    depth: "read",
    driver,
    store,
    settings: { ...FAST, ...settings },
    initial: { done: 0, counts: {} },
    signal: new AbortController().signal,
    slots: new InProcessSlots(),
    budgetKey: "org-1:ews:svc@contoso.test",
    random: () => 0.5,
    ...rest,
  });
}

describe("check runner", () => {
  it("keeps where the answer placed a mailbox, the profile that checked it and the one suggested", async () => {
    const store = new MemoryRunStore(targets(2));
    const [moved, stays] = store.targets;
    const placement = {
      where: "exchange_online" as const,
      evidence: "Autodiscover redirected to the cloud routing address",
    };
    const driver = new FakeMailboxDriver((email) =>
      email === moved!.email ? outcome("mailbox_in_cloud", { placement }) : outcome("ok"),
    );
    const asked: string[] = [];

    const end = await run(store, driver, {
      profileId: "p-onprem",
      suggestProfile: (where) => {
        asked.push(where.where);
        return "p-cloud";
      },
    });

    expect(end.state).toBe("completed");
    expect(store.results.get(moved!.userId)).toMatchObject({
      category: "mailbox_in_cloud",
      profileId: "p-onprem",
      suggestedProfileId: "p-cloud",
      placement,
    });
    // An answer that says nothing about placement gets no suggestion.
    expect(store.results.get(stays!.userId)).toMatchObject({
      profileId: "p-onprem",
      suggestedProfileId: null,
      placement: null,
    });
    expect(asked).toEqual(["exchange_online"]);
  });

  it("says once when only the last requests are in flight, before the run ends", async () => {
    const store = new MemoryRunStore(targets(20));
    let inFlight = 0;
    const driver = new FakeMailboxDriver(async (_email, _attempt, signal) => {
      inFlight += 1;
      try {
        return await delay(10, outcome("ok"), signal);
      } finally {
        inFlight -= 1;
      }
    });
    const drained: Array<{ stored: number; inFlight: number }> = [];

    const end = await run(store, driver, {
      onDrained: () => drained.push({ stored: store.results.size, inFlight }),
    });

    expect(end.state).toBe("completed");
    expect(drained).toHaveLength(1);
    // Every user was handed out: what is left is in flight (at most the concurrency), none waiting to start.
    expect(drained[0]!.inFlight).toBeGreaterThan(0);
    expect(drained[0]!.inFlight).toBeLessThanOrEqual(FAST.concurrency);
    expect(drained[0]!.stored).toBeLessThan(20);
  });

  it("checks every user exactly once without exceeding the concurrency limit", async () => {
    const store = new MemoryRunStore(targets(40));
    const driver = new FakeMailboxDriver((_email, _attempt, signal) => delay(5, outcome("ok"), signal));

    const end = await run(store, driver);

    expect(end.state).toBe("completed");
    expect(end.progress.done).toBe(40);
    expect(end.progress.counts).toEqual({ ok: 40 });
    expect(store.results.size).toBe(40);
    expect(driver.calls).toHaveLength(40);
    expect(driver.peakInFlight).toBe(4);
  });

  it("reads the users in pages after a cursor instead of all at once", async () => {
    const store = new MemoryRunStore(targets(20));
    const driver = new FakeMailboxDriver(() => outcome("ok"));

    await run(store, driver, { settings: { pageSize: 7 } });

    expect(store.pageRequests.map((request) => request.after)).toEqual([null, "u00006", "u00013"]);
    expect(store.pageRequests.every((request) => request.limit === 7)).toBe(true);
  });

  it("checks only the users of its chunk when given one, and its progress counts what the store holds", async () => {
    const store = new MemoryRunStore(targets(30));
    const driver = new FakeMailboxDriver(() => outcome("ok"));

    const first = await run(store, driver, { chunk: { after: null, last: "u00009" } });
    const third = await run(store, driver, { chunk: { after: "u00019", last: "u00029" } });

    expect(first.state).toBe("completed");
    expect([...store.results.keys()].sort()).toEqual(
      [...targets(10), ...targets(30).slice(20)].map((target) => target.userId),
    );
    // The second chunk's end counts the first chunk's results too: progress is the run's, not the chunk's.
    expect(third.progress).toEqual({ done: 20, counts: { ok: 20 } });
    expect(driver.calls).toHaveLength(20);
  });

  it("retries a transient outcome and records the answer that cleared it", async () => {
    const store = new MemoryRunStore(targets(3));
    const driver = new FakeMailboxDriver((email, attempt) =>
      email === "user1@contoso.test" && attempt < 3 ? outcome("mailbox_store_unavailable") : outcome("ok"),
    );

    const end = await run(store, driver);

    expect(end.state).toBe("completed");
    expect(driver.callsFor("user1@contoso.test")).toBe(3);
    expect(store.results.get("u00001")).toMatchObject({ category: "ok", attempts: 3 });
  });

  it("gives up on a transient outcome after the configured attempts and reports it", async () => {
    const store = new MemoryRunStore(targets(2));
    const driver = new FakeMailboxDriver((email) =>
      email === "user0@contoso.test" ? outcome("server_error", { httpStatus: 500 }) : outcome("ok"),
    );

    const end = await run(store, driver, { settings: { maxAttempts: 4 } });

    expect(driver.callsFor("user0@contoso.test")).toBe(4);
    expect(store.results.get("u00000")).toMatchObject({ category: "server_error", attempts: 4, httpStatus: 500 });
    expect(end.progress.counts).toEqual({ ok: 1, server_error: 1 });
  });

  it("never retries a permanent error", async () => {
    const store = new MemoryRunStore(targets(2));
    const driver = new FakeMailboxDriver((email) =>
      email === "user0@contoso.test" ? outcome("impersonation_denied") : outcome("ok"),
    );

    await run(store, driver);

    expect(driver.callsFor("user0@contoso.test")).toBe(1);
    expect(store.results.get("u00000")).toMatchObject({ category: "impersonation_denied", attempts: 1 });
  });

  it("pauses every worker while one worker's back-off is in force", async () => {
    const store = new MemoryRunStore(targets(30));
    let busyAnsweredAt = 0;
    const driver = new FakeMailboxDriver(async (email, attempt, signal) => {
      await delay(5, null, signal);
      if (email === "user3@contoso.test" && attempt === 1) {
        busyAnsweredAt = Date.now();
        return outcome("server_busy", { backOffMs: 150 });
      }
      return outcome("ok");
    });

    const end = await run(store, driver);

    expect(end.state).toBe("completed");
    const startedDuringPause = driver.calls.filter(
      (call) => call.startedAt > busyAnsweredAt + 2 && call.startedAt < busyAnsweredAt + 140,
    );
    expect(startedDuringPause).toEqual([]);
    expect(store.results.get("u00003")).toMatchObject({ category: "ok", attempts: 2 });
  });

  it("honours a bare 503 with the default back-off when the server names no delay", async () => {
    const store = new MemoryRunStore(targets(10));
    let throttledAt = 0;
    const driver = new FakeMailboxDriver(async (email, attempt, signal) => {
      await delay(2, null, signal);
      if (email === "user0@contoso.test" && attempt === 1) {
        throttledAt = Date.now();
        return outcome("throttled", { httpStatus: 503 });
      }
      return outcome("ok");
    });

    await run(store, driver, { settings: { defaultBackOffMs: 120 } });

    const retry = driver.calls.filter((call) => call.email === "user0@contoso.test")[1];
    expect(retry?.startedAt).toBeGreaterThanOrEqual(throttledAt + 115);
    expect(
      driver.calls.filter((call) => call.startedAt > throttledAt + 2 && call.startedAt < throttledAt + 110),
    ).toEqual([]);
  });

  it("retries a throttled user as soon as the shared pause and a jitter within it have passed", async () => {
    const store = new MemoryRunStore(targets(4));
    let busyAt = 0;
    const driver = new FakeMailboxDriver((email, attempt) => {
      if (email === "user0@contoso.test" && attempt === 1) {
        busyAt = Date.now();
        return outcome("server_busy", { backOffMs: 30 });
      }
      return outcome("ok");
    });

    await run(store, driver, { settings: { retryBaseMs: 1_000 } });

    const retry = driver.calls.filter((call) => call.email === "user0@contoso.test")[1];
    expect(retry?.startedAt).toBeGreaterThanOrEqual(busyAt + 28);
    expect(retry?.startedAt).toBeLessThan(busyAt + 200);
  });

  it("does not spend a user's attempts on throttling answers", async () => {
    const store = new MemoryRunStore(targets(3));
    const driver = new FakeMailboxDriver((email, attempt) =>
      email === "user0@contoso.test" && attempt <= 4 ? outcome("server_busy", { backOffMs: 5 }) : outcome("ok"),
    );

    const end = await run(store, driver, { settings: { maxAttempts: 2 } });

    expect(end.state).toBe("completed");
    // Four throttling answers, then the clean one: the two real attempts were never used up.
    expect(store.results.get("u00000")).toMatchObject({ category: "ok", attempts: 5 });
  });

  it("learns a server budget below the configured concurrency: no user ends throttled", async () => {
    const store = new MemoryRunStore(targets(120));
    let atServer = 0;
    let serverPeak = 0;
    const driver = new FakeMailboxDriver(async (_email, _attempt, signal) => {
      if (atServer >= 3) return outcome("server_busy", { backOffMs: 20 });
      atServer += 1;
      serverPeak = Math.max(serverPeak, atServer);
      try {
        return await delay(4, outcome("ok"), signal);
      } finally {
        atServer -= 1;
      }
    });
    const slots = new InProcessSlots();

    const end = await run(store, driver, { slots, settings: { concurrency: 12, maxConcurrency: 12 } });

    expect(end).toMatchObject({ state: "completed", progress: { done: 120, counts: { ok: 120 } } });
    expect(serverPeak).toBe(3);
    expect(slots.limitOf("org-1:ews:svc@contoso.test")).toBeLessThanOrEqual(4);
  });

  it("ends the run throttled, keeping what was done, once the server's pauses exceed the run's limit", async () => {
    const store = new MemoryRunStore(targets(30));
    const driver = new FakeMailboxDriver(async (email, _attempt, signal) => {
      await delay(2, null, signal);
      return email >= "user2" ? outcome("server_busy", { backOffMs: 40 }) : outcome("ok");
    });

    const end = await run(store, driver, {
      settings: { concurrency: 2, maxThrottledWaitMs: 150, maxThrottledAnswers: 1_000 },
    });

    expect(end.state).toBe("throttled");
    expect(end.progress.done).toBe(store.results.size);
    expect([...store.results.values()].every((result) => result.category === "ok")).toBe(true);
    expect(store.results.size).toBeGreaterThan(0);
  });

  it("waits out a mailbox's own Retry-After for that user only, without pausing the others", async () => {
    const store = new MemoryRunStore(targets(30));
    let hintedAt = 0;
    const driver = new FakeMailboxDriver(async (email, attempt, signal) => {
      await delay(3, null, signal);
      if (email === "user0@contoso.test" && attempt === 1) {
        hintedAt = Date.now();
        return outcome("mailbox_moving", { httpStatus: 503, backOffMs: 120 });
      }
      return outcome("ok");
    });

    const end = await run(store, driver, { settings: { retryMaxMs: 1_000 } });

    expect(end.state).toBe("completed");
    const retry = driver.calls.filter((call) => call.email === "user0@contoso.test")[1];
    expect(retry?.startedAt).toBeGreaterThanOrEqual(hintedAt + 115);
    const others = driver.calls.filter((call) => call.startedAt > hintedAt + 2 && call.startedAt < hintedAt + 110);
    expect(others.length).toBeGreaterThan(0);
  });

  it("stops the whole run at the first 401 and never retries it", async () => {
    const store = new MemoryRunStore(targets(50));
    const driver = new FakeMailboxDriver(async (email, _attempt, signal) => {
      await delay(3, null, signal);
      return email === "user10@contoso.test"
        ? outcome("auth_failed", { httpStatus: 401, detail: "401 Unauthorized" })
        : outcome("ok");
    });

    const end = await run(store, driver, { settings: { concurrency: 2 } });

    expect(end).toMatchObject({ state: "auth_failed", category: "auth_failed", detail: "401 Unauthorized" });
    expect(driver.callsFor("user10@contoso.test")).toBe(1);
    expect(driver.calls.length).toBeLessThan(15);
    expect(store.results.has("u00010")).toBe(false);
    expect(end.progress.done).toBe(store.results.size);
  });

  it("turns a request that outlives the timeout into a timeout result after its retries", async () => {
    const store = new MemoryRunStore(targets(2));
    const driver = new FakeMailboxDriver((email) =>
      email === "user1@contoso.test" ? new Promise(() => undefined) : outcome("ok"),
    );

    const end = await run(store, driver, { settings: { requestTimeoutMs: 40, maxAttempts: 2 } });

    expect(end.state).toBe("completed");
    expect(driver.callsFor("user1@contoso.test")).toBe(2);
    expect(store.results.get("u00001")).toMatchObject({ category: "timeout", attempts: 2 });
  });

  it("passes the driver a signal that aborts when the request times out", async () => {
    const store = new MemoryRunStore(targets(1));
    let abortedAfter: number | null = null;
    const driver = new FakeMailboxDriver((_email, _attempt, signal) => {
      const started = Date.now();
      return new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          abortedAfter = Date.now() - started;
          resolve(outcome("network_error"));
        }),
      );
    });

    await run(store, driver, { settings: { requestTimeoutMs: 30, maxAttempts: 1 } });

    expect(abortedAfter).toBeGreaterThanOrEqual(25);
    expect(store.results.get("u00000")?.category).toBe("timeout");
  });

  it("cancels: keeps what finished, discards what was in flight and starts nothing new", async () => {
    const store = new MemoryRunStore(targets(100));
    const cancel = new AbortController();
    const driver = new FakeMailboxDriver(async (email, _attempt, signal) => {
      if (email === "user20@contoso.test") cancel.abort();
      await delay(5, null, signal);
      return outcome("ok");
    });

    const end = await run(store, driver, { signal: cancel.signal });

    expect(end.state).toBe("cancelled");
    expect(driver.calls.length).toBeLessThan(30);
    expect(store.results.size).toBe(end.progress.done);
    expect(store.results.size).toBeLessThan(driver.calls.length);
  });

  it("resumes a run by checking only the users without a result and continuing its counts", async () => {
    const store = new MemoryRunStore(targets(10));
    const firstDriver = new FakeMailboxDriver(() => outcome("ok"));
    for (const target of store.targets.slice(0, 4)) {
      store.results.set(target.userId, {
        ...target,
        category: "access_denied",
        detail: null,
        primarySmtpAddress: null,
        httpStatus: null,
        attempts: 1,
        durationMs: 1,
        steps: [],
        checkedAt: new Date(),
      });
    }

    const end = await run(store, firstDriver, { initial: { done: 4, counts: { access_denied: 4 } } });

    expect(firstDriver.calls.map((call) => call.email).sort()).toEqual(
      store.targets
        .slice(4)
        .map((target) => target.email)
        .sort(),
    );
    expect(end.progress).toEqual({ done: 10, counts: { access_denied: 4, ok: 6 } });
  });

  it("counts a result as done only once it is durable", async () => {
    const store = new MemoryRunStore(targets(25));
    const observed: Array<{ progress: RunProgress; durable: number }> = [];
    const driver = new FakeMailboxDriver(() => outcome("ok"));

    await run(store, driver, {
      onProgress: (progress) => observed.push({ progress, durable: store.results.size }),
    });

    expect(observed.length).toBeGreaterThan(1);
    for (const { progress, durable } of observed) expect(progress.done).toBeLessThanOrEqual(durable);
    expect(observed.at(-1)?.progress.done).toBe(25);
  });

  it("fails the run, without crashing, when results cannot be saved", async () => {
    const store = new MemoryRunStore(targets(30));
    store.failWrites = true;
    const driver = new FakeMailboxDriver(() => outcome("ok"));
    const logged: string[] = [];

    const end = await run(store, driver, { log: (message) => logged.push(message) });

    expect(end).toMatchObject({ state: "failed", detail: "results could not be saved" });
    expect(end.progress.done).toBe(0);
    expect(logged).toContain("results could not be saved");
  });

  it("records a driver that throws as unknown_error for that user and carries on", async () => {
    const store = new MemoryRunStore(targets(3));
    const driver = new FakeMailboxDriver((email) => {
      if (email === "user1@contoso.test") throw new Error("bug in parser");
      return outcome("ok");
    });

    const end = await run(store, driver);

    expect(end.state).toBe("completed");
    expect(store.results.get("u00001")).toMatchObject({
      category: "unknown_error",
      detail: "internal error while checking: bug in parser",
    });
  });

  it("keeps the primary address and step details Exchange returned", async () => {
    const store = new MemoryRunStore(targets(1));
    const driver = new FakeMailboxDriver(() =>
      outcome("non_primary_address", { primarySmtpAddress: "first.last@contoso.test", detail: "x".repeat(5_000) }),
    );

    await run(store, driver);

    const result = store.results.get("u00000");
    expect(result?.primarySmtpAddress).toBe("first.last@contoso.test");
    expect(result?.detail).toHaveLength(1_000);
  });
});
