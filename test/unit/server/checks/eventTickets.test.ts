import { describe, expect, it } from "vitest";
import { EventTickets } from "../../../../src/server/checks/eventTickets.js";

const identity = { subject: "s1", email: "admin@contoso.test", name: "Admin", tenantId: null, issuer: "https://i" };

describe("progress stream tickets", () => {
  it("work once, for the run they were issued for", () => {
    const tickets = new EventTickets();
    const { ticket } = tickets.issue({ orgId: "o1", runId: "r1", identity });
    expect(tickets.redeem(ticket, { orgId: "o1", runId: "r1" })).toEqual(identity);
    expect(tickets.redeem(ticket, { orgId: "o1", runId: "r1" })).toBeNull();

    const other = tickets.issue({ orgId: "o1", runId: "r1", identity }).ticket;
    expect(tickets.redeem(other, { orgId: "o1", runId: "r2" })).toBeNull();
    expect(tickets.redeem("made-up", { orgId: "o1", runId: "r1" })).toBeNull();
  });

  it("expire after their lifetime", () => {
    let now = 1_000;
    const tickets = new EventTickets(60_000, () => now);
    const { ticket, expiresAt } = tickets.issue({ orgId: "o1", runId: "r1", identity });
    expect(expiresAt.getTime()).toBe(61_000);
    now = 61_001;
    expect(tickets.redeem(ticket, { orgId: "o1", runId: "r1" })).toBeNull();
  });

  it("are long random strings", () => {
    const tickets = new EventTickets();
    const first = tickets.issue({ orgId: "o1", runId: "r1", identity }).ticket;
    const second = tickets.issue({ orgId: "o1", runId: "r1", identity }).ticket;
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first).not.toBe(second);
  });
});
