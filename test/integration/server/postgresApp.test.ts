/** The whole app on PostgreSQL (DATABASE_URL=postgres://…): the routes behave as they do on SQLite. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../support/backend.js";
import { postgresEnabled } from "../../support/postgres.js";

describe.runIf(await postgresEnabled())("the app on PostgreSQL", () => {
  let backend: TestBackend;
  let orgId = "";
  let admin = "";

  beforeAll(async () => {
    backend = await createTestBackend({ dialect: "postgres", env: { PROCESS_NAME: "backend-b" } });
    orgId = (await backend.seedOrg({ name: "Contoso", admin: "admin@contoso.com", users: ["u@contoso.com"] })).orgId;
    admin = await backend.bearer("admin@contoso.com");
  });
  afterAll(async () => {
    await backend.close();
  });

  it("reports the database as reachable, names the process and keeps the check budget in PostgreSQL", async () => {
    expect((await backend.app.inject({ method: "GET", url: "/api/health" })).json()).toEqual({
      status: "ok",
      database: "ok",
      process: "backend-b",
      worker: { active: true, runs: 0, budget: "postgres" },
    });
  });

  it("saves the email configuration with If-Match and refuses the stale version", async () => {
    const payload = {
      accessType: "ews_basic_impersonation",
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
      accountLogon: "svc@contoso.com",
      password: "pg-password",
    };
    const put = (version: string) =>
      backend.app.inject({
        method: "PUT",
        url: `/api/orgs/${orgId}/email-config`,
        headers: { authorization: admin, "if-match": version },
        payload,
      });
    expect((await put('"0"')).json()).toMatchObject({ version: 1, hasPassword: true });
    expect((await put('"0"')).statusCode).toBe(412);
  });

  it("adds, searches, renames and removes users, with case-insensitive duplicates refused", async () => {
    const add = (email: string) =>
      backend.app.inject({
        method: "POST",
        url: `/api/orgs/${orgId}/users`,
        headers: { authorization: admin },
        payload: { email },
      });
    const { id } = (await add("New.Person@contoso.com")).json<{ id: string }>();
    expect((await add("new.person@CONTOSO.com")).statusCode).toBe(409);
    const search = await backend.app.inject({
      method: "GET",
      url: `/api/orgs/${orgId}/users?search=NEW.PERSON`,
      headers: { authorization: admin },
    });
    expect(search.json<{ items: Array<{ id: string }> }>().items.map((u) => u.id)).toEqual([id]);
    const patched = await backend.app.inject({
      method: "PATCH",
      url: `/api/orgs/${orgId}/users/${id}`,
      headers: { authorization: admin },
      payload: { displayName: "Renamed" },
    });
    expect(patched.json()).toMatchObject({ displayName: "Renamed" });
    const removed = await backend.app.inject({
      method: "DELETE",
      url: `/api/orgs/${orgId}/users/${id}`,
      headers: { authorization: admin },
    });
    expect(removed.statusCode).toBe(204);
  });

  it("pages the audit trail newest first", async () => {
    const page = await backend.app.inject({
      method: "GET",
      url: `/api/orgs/${orgId}/audit?limit=2`,
      headers: { authorization: admin },
    });
    const body = page.json<{ items: Array<{ action: string }>; nextCursor: string | null }>();
    expect(body.items.map((e) => e.action)).toEqual(["user.remove", "user.update"]);
    expect(body.nextCursor).not.toBeNull();
  });
});
