import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckEventsTicketDto, CheckRunDto } from "../../../../src/contract/checks.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { EWS_CONFIG, FakeMailboxDriver } from "../../../support/fakeMailboxDriver.js";
import type { SeededOrg } from "../../../support/seed.js";

const ADMIN = "admin@contoso.test";

/** Each check waits `delayMs`, so a run of N users lasts about N × delay / concurrency. */
function slowDriver(delayMs: number): FakeMailboxDriver {
  const driver = new FakeMailboxDriver();
  driver.delayMs = delayMs;
  return driver;
}

interface SseEvent {
  event: string;
  data: CheckRunDto;
  at: number;
}

/** A fetch-based SSE reader (what the pane uses: it can send the Authorization header). */
async function readEvents(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; events: SseEvent[] }> {
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers } });
  if (response.status !== 200 || response.body === null) return { status: response.status, events: [] };
  expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = response.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buffer += decoder.decode(chunk.value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event = /^event: (.+)$/m.exec(frame)?.[1];
      const data = /^data: (.+)$/m.exec(frame)?.[1];
      if (event !== undefined && data !== undefined) {
        events.push({ event, data: JSON.parse(data) as CheckRunDto, at: Date.now() });
      }
    }
  }
  return { status: 200, events };
}

describe("check run progress stream", () => {
  let harness: TestBackend;
  let org: SeededOrg;
  let base: string;
  let adminToken: string;

  beforeAll(async () => {
    harness = await createTestBackend({
      env: { OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1", RATE_LIMIT_MAX: "100000" },
      resolver: "system",
    });
    harness.app.ctx.checks.useDriverFactory(() => slowDriver(40));
    org = await harness.seedUsers(119, ADMIN);
    adminToken = await harness.token(ADMIN);
    base = await harness.app.listen({ port: 0, host: "127.0.0.1" });
  });

  afterAll(async () => {
    await harness.close();
  });

  async function startRun(): Promise<string> {
    const response = await fetch(`${base}/api/orgs/${org.id}/checks`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ scope: { all: true }, depth: "read", concurrency: 4, draft: EWS_CONFIG }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { runId: string }).runId;
  }

  it("streams throttled progress to a bearer-authenticated reader and ends with the final state", async () => {
    const runId = await startRun();
    const { status, events } = await readEvents(`${base}/api/orgs/${org.id}/checks/${runId}/events`, {
      authorization: `Bearer ${adminToken}`,
    });

    expect(status).toBe(200);
    const last = events.at(-1);
    expect(last?.event).toBe("end");
    expect(last?.data).toMatchObject({ state: "completed", done: 120, total: 120 });
    const progress = events.filter((event) => event.event === "progress");
    expect(progress.length).toBeGreaterThan(2);
    const done = progress.map((event) => event.data.done);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
    // ≤ 4 events a second: consecutive progress events at least ~250 ms apart (the first is the initial state).
    for (let index = 2; index < progress.length; index += 1) {
      expect(progress[index]!.at - progress[index - 1]!.at).toBeGreaterThanOrEqual(200);
    }
  });

  it("serves an EventSource reader through a one-use ticket and refuses the ticket a second time", async () => {
    const runId = await startRun();
    const issued = await fetch(`${base}/api/orgs/${org.id}/checks/${runId}/events/ticket`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const ticket = (await issued.json()) as CheckEventsTicketDto;
    expect(ticket.url).toBe(`/api/orgs/${org.id}/checks/${runId}/events?ticket=${encodeURIComponent(ticket.ticket)}`);

    const first = await readEvents(`${base}${ticket.url}`, {});
    expect(first.status).toBe(200);
    expect(first.events.at(-1)).toMatchObject({ event: "end", data: { state: "completed" } });

    const reused = await fetch(`${base}${ticket.url}`);
    expect(reused.status).toBe(401);
    const forged = await fetch(`${base}/api/orgs/${org.id}/checks/${runId}/events?ticket=forged`);
    expect(forged.status).toBe(401);
  });

  it("answers a finished run's stream with its end state at once", async () => {
    const runs = (await (
      await fetch(`${base}/api/orgs/${org.id}/checks`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { items: CheckRunDto[] };
    const finished = runs.items.find((run) => run.state === "completed")!;
    const { events } = await readEvents(`${base}/api/orgs/${org.id}/checks/${finished.id}/events`, {
      authorization: `Bearer ${adminToken}`,
    });
    expect(events.map((event) => event.event)).toEqual(["end"]);
  });
});
