/** The audit trail (paged JSON, injection-safe CSV) and the end user's mailbox status. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";

let backend: TestBackend;
let orgId = "";
let admin = "";
let userId = "";

beforeAll(async () => {
  backend = await createTestBackend();
  const seeded = await backend.seedOrg({ name: "Contoso", admin: "admin@contoso.com", users: ["user@contoso.com"] });
  orgId = seeded.orgId;
  userId = seeded.userIds["user@contoso.com"]!;
  admin = await backend.bearer("admin@contoso.com");
});
afterAll(async () => {
  await backend.close();
});

describe("audit trail", () => {
  beforeAll(async () => {
    for (let i = 0; i < 7; i += 1) {
      await backend.repos.audit.record({ orgId, actor: "admin@contoso.com", action: "user.update", target: `t${i}` });
    }
    await backend.repos.audit.record({
      orgId,
      actor: '=HYPERLINK("https://evil.example","click")',
      action: "user.add",
      target: "+cmd|' /C calc'!A0",
      after: { displayName: "@SUM(1,2)", password: "hunter2" },
    });
  });

  it("pages newest first without repeating an event", async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
      const page = (
        await backend.app.inject({
          method: "GET",
          url: `/api/orgs/${orgId}/audit${query}`,
          headers: { authorization: admin },
        })
      ).json<{ items: Array<{ id: string; at: string }>; nextCursor: string | null }>();
      ids.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(9);
    expect(new Set(ids).size).toBe(9);
  });

  it("redacts secrets in stored events", async () => {
    const page = (
      await backend.app.inject({
        method: "GET",
        url: `/api/orgs/${orgId}/audit?limit=1`,
        headers: { authorization: admin },
      })
    ).json();
    expect(page.items[0].after).toEqual({ displayName: "@SUM(1,2)", password: "[redacted]" });
  });

  it("exports CSV whose formula-like cells are neutralised and quotes are doubled", async () => {
    const response = await backend.app.inject({
      method: "GET",
      url: `/api/orgs/${orgId}/audit.csv`,
      headers: { authorization: admin },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/csv");
    expect(response.headers["content-disposition"]).toContain("attachment");
    const lines = response.body.trimEnd().split("\r\n");
    expect(lines[0]).toBe('"at","actor","action","target","before","after"');
    expect(lines).toHaveLength(10);
    const hostile = lines.find((line) => line.includes("HYPERLINK"))!;
    expect(hostile).toContain('"\'=HYPERLINK(""https://evil.example"",""click"")"');
    expect(hostile).toContain(`"'+cmd|' /C calc'!A0"`);
    expect(hostile).not.toContain("hunter2");
    for (const line of lines) expect(line).not.toMatch(/(^|,)"[=+\-@]/);
  });
});

describe("mailbox status", () => {
  const status = async (email: string, query = "") =>
    backend.app.inject({
      method: "GET",
      url: `/api/me/mailbox-status${query}`,
      headers: { authorization: await backend.bearer(email) },
    });

  it("says not_configured for someone in no organization", async () => {
    expect((await status("stranger@elsewhere.example")).json()).toEqual({
      org: null,
      accessType: null,
      state: "not_configured",
      lastCheck: null,
      monitoring: { lastCheckedAt: null, scheduled: false },
      place: null,
    });
  });

  it("says not_configured until the admin picks an access type, then never_checked", async () => {
    expect((await status("user@contoso.com")).json()).toMatchObject({ org: { id: orgId }, state: "not_configured" });
    await backend.app.inject({
      method: "PUT",
      url: `/api/orgs/${orgId}/email-config`,
      headers: { authorization: admin, "if-match": '"0"' },
      payload: { accessType: "ews_oauth_impersonation", ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx" },
    });
    expect((await status("user@contoso.com")).json()).toEqual({
      org: { id: orgId, name: "Contoso" },
      accessType: "ews_oauth_impersonation",
      state: "never_checked",
      lastCheck: null,
      // Configured and no schedule saved: the default daily re-check applies.
      monitoring: { lastCheckedAt: null, scheduled: true },
      // One profile: the card keeps today's words, no place named.
      place: null,
    });
  });

  it.each([
    ["ok", "ok", "connected", null],
    [
      "non_primary_address",
      "warning",
      "needs_attention",
      "My mailbox is listed under an alias instead of my primary address.",
    ],
    [
      "impersonation_denied",
      "error",
      "not_connected",
      "The organization's service account is not allowed to open my mailbox.",
    ],
    ["server_busy", "transient", "needs_attention", "Exchange is throttling the service account (ErrorServerBusy)."],
  ])("maps the latest check %s to state %s with the end user's words", async (category, severity, state, tellAdmin) => {
    await backend.repos.mailboxStatus.record({
      orgId,
      userId,
      runId: "run-1",
      category,
      severity: severity as "ok",
      detail: null,
      checkedAt: "2026-11-20T10:00:00.000Z",
    });
    const body = (await status("user@contoso.com")).json();
    expect(body).toMatchObject({
      state,
      lastCheck: { category, severity, tellAdmin, checkedAt: "2026-11-20T10:00:00.000Z" },
    });
    expect(body.lastCheck.message.length).toBeGreaterThan(10);
  });

  it("answers 404 when asked about an organization the caller is not in", async () => {
    const other = await backend.seedOrg({ name: "Fabrikam", admin: "admin@fabrikam.com" });
    expect((await status("user@contoso.com", `?orgId=${other.orgId}`)).statusCode).toBe(404);
  });
});
