import { describe, expect, it } from "vitest";
import { AdaptiveBudget, PauseLedger, type BudgetTicket } from "../../../../src/server/checks/engine/adaptiveBudget.js";

function clock(start = 1_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

/** Takes every slot the budget grants right now. */
function takeAll(budget: AdaptiveBudget): BudgetTicket[] {
  const tickets: BudgetTicket[] = [];
  for (let ticket = budget.tryAcquire(); ticket !== null; ticket = budget.tryAcquire()) tickets.push(ticket);
  return tickets;
}

/** One round trip per granted slot, every answer clean. */
function cleanRound(budget: AdaptiveBudget): number {
  const tickets = takeAll(budget);
  for (const ticket of tickets) budget.release(ticket, { kind: "clean" });
  return tickets.length;
}

describe("adaptive budget", () => {
  it("starts at the configured concurrency and grants no more slots than its limit", () => {
    const { now } = clock();
    const budget = new AdaptiveBudget({ initial: 8, ceiling: 27 }, now);

    expect(budget.limit).toBe(8);
    expect(takeAll(budget)).toHaveLength(8);
    expect(budget.inFlight).toBe(8);
  });

  it("pauses everyone as the server asks on a throttling answer, and halves the limit once a round's throttles pass the noise share", () => {
    const { time, now } = clock();
    const budget = new AdaptiveBudget({ initial: 20, ceiling: 27 }, now);
    const tickets = takeAll(budget);

    budget.release(tickets[0] as BudgetTicket, { kind: "throttled", backOffMs: 500 });
    expect(budget.limit).toBe(20);
    // 15% of 20: the third throttle of the round is no longer noise.
    budget.release(tickets[1] as BudgetTicket, { kind: "throttled", backOffMs: 500 });
    budget.release(tickets[2] as BudgetTicket, { kind: "throttled", backOffMs: 500 });

    expect(budget.limit).toBe(10);
    expect(budget.pausedMs()).toBe(500);
    expect(budget.tryAcquire()).toBeNull();
    time.now += 499;
    expect(budget.tryAcquire()).toBeNull();
    time.now += 1;
    for (const ticket of tickets.slice(3)) budget.release(ticket, { kind: "clean" });
    expect(takeAll(budget)).toHaveLength(10);
  });

  it("lowers the limit to what the server accepted when a burst is refused (20 sent, 14 refused: 6)", () => {
    const { now } = clock();
    const budget = new AdaptiveBudget({ initial: 20, ceiling: 27 }, now);
    const tickets = takeAll(budget);

    for (const ticket of tickets.slice(0, 14)) budget.release(ticket, { kind: "throttled", backOffMs: 500 });
    for (const ticket of tickets.slice(14)) budget.release(ticket, { kind: "clean" });

    expect(budget.limit).toBe(6);
  });

  it("raises the limit by one after a round of clean answers", () => {
    const { now } = clock();
    const budget = new AdaptiveBudget({ initial: 4, ceiling: 27 }, now);

    expect(cleanRound(budget)).toBe(4);
    expect(budget.limit).toBe(5);
    expect(cleanRound(budget)).toBe(5);
    expect(budget.limit).toBe(6);
  });

  it("never grows above the ceiling, and starts at the ceiling when configured above it", () => {
    const { now } = clock();
    const budget = new AdaptiveBudget({ initial: 3, ceiling: 5 }, now);
    for (let round = 0; round < 10; round += 1) cleanRound(budget);
    expect(budget.limit).toBe(5);

    expect(new AdaptiveBudget({ initial: 40, ceiling: 27 }, now).limit).toBe(27);
  });

  it("settles just under a server budget it was never told: the level that was throttled is probed only after a quiet period", () => {
    const { time, now } = clock();
    const serverBudget = 6;
    const budget = new AdaptiveBudget({ initial: 27, ceiling: 27, probeQuietMs: 1_000, probeQuietFactor: 10 }, now);
    const limits: number[] = [];
    let throttles = 0;
    for (let round = 0; round < 200; round += 1) {
      const tickets = takeAll(budget);
      tickets.forEach((ticket, index) => {
        const refused = index >= serverBudget;
        if (refused) throttles += 1;
        budget.release(ticket, refused ? { kind: "throttled", backOffMs: 100 } : { kind: "clean" });
      });
      time.now += 50;
      if (budget.pausedMs() > 0) time.now += budget.pausedMs();
      limits.push(budget.limit);
    }

    expect(Math.max(...limits.slice(20))).toBeLessThanOrEqual(serverBudget + 1);
    // 200 rounds of 50 ms: a probe about every second (10 × the 100 ms pause) besides the first descent.
    expect(throttles).toBeLessThan(60);
    expect(limits.filter((limit) => limit === serverBudget).length).toBeGreaterThan(120);
  });

  it("tolerates a rare busy answer at a level already proven clean instead of halving", () => {
    const { now } = clock();
    const budget = new AdaptiveBudget({ initial: 20, ceiling: 20 }, now);
    cleanRound(budget);
    const tickets = takeAll(budget);

    budget.release(tickets[0] as BudgetTicket, { kind: "throttled", backOffMs: 10 });
    expect(budget.limit).toBe(20);
    for (const ticket of tickets.slice(1, 4)) budget.release(ticket, { kind: "throttled", backOffMs: 10 });
    expect(budget.limit).toBe(10);
  });

  it("keeps its limit when one answer in twenty is a random ErrorServerBusy (noise, not a budget)", () => {
    const { time, now } = clock();
    const budget = new AdaptiveBudget({ initial: 27, ceiling: 27 }, now);
    let answer = 0;
    const limits: number[] = [];
    for (let round = 0; round < 100; round += 1) {
      for (const ticket of takeAll(budget)) {
        answer += 1;
        budget.release(ticket, answer % 20 === 0 ? { kind: "throttled", backOffMs: 100 } : { kind: "clean" });
      }
      time.now += 50 + budget.pausedMs();
      limits.push(budget.limit);
    }
    expect(Math.min(...limits)).toBe(27);
  });

  it("after noise bunched up at a proven level, climbs back to it quickly instead of probing one step per round", () => {
    const { time, now } = clock();
    const budget = new AdaptiveBudget({ initial: 20, ceiling: 20 }, now);
    cleanRound(budget);
    const tickets = takeAll(budget);
    for (const ticket of tickets.slice(0, 3)) budget.release(ticket, { kind: "throttled", backOffMs: 10 });
    for (const ticket of tickets.slice(3)) budget.release(ticket, { kind: "clean" });
    expect(budget.limit).toBe(10);

    time.now += 10;
    let rounds = 0;
    while (budget.limit < 20 && rounds < 50) {
      cleanRound(budget);
      rounds += 1;
    }
    expect(budget.limit).toBe(20);
    // One step per round from 10 would take 10 rounds; back to a proven level it is several steps a round.
    expect(rounds).toBeLessThanOrEqual(4);
  });

  it("learns nothing from answers that are neither clean nor throttling (timeouts)", () => {
    const { now } = clock();
    const budget = new AdaptiveBudget({ initial: 4, ceiling: 27 }, now);
    for (const ticket of takeAll(budget)) budget.release(ticket, { kind: "neutral" });

    expect(budget.limit).toBe(4);
    expect(budget.inFlight).toBe(0);
  });
});

describe("pause ledger (the run's limit on throttled waiting)", () => {
  it("adds up pauses without counting overlaps twice", () => {
    const ledger = new PauseLedger();

    expect(ledger.extend(0, 1_000)).toBe(1_000);
    expect(ledger.extend(500, 300)).toBe(0);
    expect(ledger.extend(800, 700)).toBe(500);
    expect(ledger.extend(5_000, 200)).toBe(200);
    expect(ledger.totalMs).toBe(1_700);
    expect(ledger.remainingAt(5_100)).toBe(100);
  });
});
