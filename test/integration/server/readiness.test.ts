/** GET /api/ready: what an orchestrator's readiness probe sees of the database and its migrations. */
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../support/backend.js";

let backend: TestBackend | null = null;
afterEach(async () => {
  await backend?.close();
  backend = null;
});

describe("GET /api/ready", () => {
  it("answers 200 without a token once the database answers and every migration is applied", async () => {
    backend = await createTestBackend();
    const response = await backend.app.inject({ method: "GET", url: "/api/ready" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ready", database: "ok", migrations: "applied", pending: [] });
  });

  it("names the process in health (hostname:pid unless PROCESS_NAME says) with its in-process check worker", async () => {
    backend = await createTestBackend();
    const health = (await backend.app.inject({ method: "GET", url: "/api/health" })).json<Record<string, unknown>>();
    expect(health.process).toMatch(new RegExp(`:${process.pid}$`));
    expect(health.worker).toEqual({ active: true, runs: 0, budget: "in-process" });
    await backend.close();
    backend = await createTestBackend({ env: { PROCESS_NAME: "backend-a" } });
    expect((await backend.app.inject({ method: "GET", url: "/api/health" })).json()).toMatchObject({
      process: "backend-a",
    });
  });

  it("answers 503 naming the migrations a database lacks", async () => {
    backend = await createTestBackend();
    await sql`delete from kysely_migration where name = '010_check_runs'`.execute(backend.database.db);
    const response = await backend.app.inject({ method: "GET", url: "/api/ready" });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: "not_ready",
      database: "ok",
      migrations: "pending",
      pending: ["010_check_runs"],
    });
  });

  it("answers 503 when the database does not answer, and health says so too", async () => {
    backend = await createTestBackend();
    backend.database.ping = () => Promise.resolve(false);
    const ready = await backend.app.inject({ method: "GET", url: "/api/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: "not_ready", database: "unreachable", migrations: "unknown" });
    expect((await backend.app.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(503);
  });
});
