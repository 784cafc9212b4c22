/** The organization's user list: add, search, page, change, remove, and bulk import with per-row verdicts. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";

let backend: TestBackend;
let orgId = "";
let admin = "";

beforeAll(async () => {
  backend = await createTestBackend();
  orgId = (await backend.seedOrg({ name: "Contoso", admin: "admin@contoso.com" })).orgId;
  admin = await backend.bearer("admin@contoso.com");
});
afterAll(async () => {
  await backend.close();
});

const users = () => `/api/orgs/${orgId}/users`;
const post = (payload: unknown, headers: Record<string, string> = {}) =>
  backend.app.inject({
    method: "POST",
    url: users(),
    headers: { authorization: admin, ...headers },
    payload: payload as string,
  });

describe("adding one user", () => {
  it("creates the user with defaults and records who added them", async () => {
    const response = await post({ email: "Ada.Lovelace@contoso.com" });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      email: "Ada.Lovelace@contoso.com",
      displayName: "Ada.Lovelace",
      role: "user",
      addedBy: "admin@contoso.com",
    });
  });

  it("refuses a duplicate whatever its case with 409 naming the email field", async () => {
    const response = await post({ email: "ada.lovelace@CONTOSO.com" });
    expect(response.statusCode).toBe(409);
    expect(response.json().errors).toEqual([
      { field: "email", message: "ada.lovelace@CONTOSO.com is already a user of this organization." },
    ]);
  });

  it.each([
    [{ email: "not-an-email" }, "email", /valid email/],
    [{ email: "x@contoso.com", role: "owner" }, "role", /./],
    [{ email: "x@contoso.com", nickname: "x" }, "nickname", /not an accepted field/],
    [{ email: 42 }, "email", /string/i],
    [{}, "email", /required/],
  ])("refuses %j with 400 naming %s", async (payload, field, message) => {
    const before = await backend.repos.users.list(orgId, { limit: 500 });
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    const errors = response.json().errors as Array<{ field: string; message: string }>;
    expect(errors.find((e) => e.field === field)?.message).toMatch(message);
    expect((await backend.repos.users.list(orgId, { limit: 500 })).items).toHaveLength(before.items.length);
  });

  it("refuses malformed JSON with 400 naming the body", async () => {
    const response = await post("{", { "content-type": "application/json" });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ field: "body", message: "must be valid JSON" }]);
  });
});

describe("listing users", () => {
  beforeAll(async () => {
    await backend.repos.users.addMany(
      orgId,
      Array.from({ length: 25 }, (_, i) => ({
        email: `person${String(i).padStart(2, "0")}@contoso.com`,
        displayName: i % 5 === 0 ? `Sales Person ${i}` : `Person ${i}`,
        role: "user" as const,
      })),
      "seed",
    );
  });

  it("pages through every user in email order with an opaque cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=10&cursor=${cursor}` : "?limit=10";
      const response = await backend.app.inject({
        method: "GET",
        url: users() + query,
        headers: { authorization: admin },
      });
      expect(response.statusCode).toBe(200);
      const page = response.json<{ items: Array<{ email: string }>; nextCursor: string | null }>();
      seen.push(...page.items.map((u) => u.email));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(27);
    expect(seen).toEqual([...seen].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(new Set(seen).size).toBe(27);
  });

  it("searches display names and emails case-insensitively, treating % literally", async () => {
    const byName = await backend.app.inject({
      method: "GET",
      url: `${users()}?search=sales`,
      headers: { authorization: admin },
    });
    expect(byName.json().items).toHaveLength(5);
    const wildcard = await backend.app.inject({
      method: "GET",
      url: `${users()}?search=%25`,
      headers: { authorization: admin },
    });
    expect(wildcard.json().items).toHaveLength(0);
  });

  it("gives each user their latest check result, filters by status, and never shows another organization's", async () => {
    const other = await backend.seedOrg({
      name: "Fabrikam",
      admin: "admin@fabrikam.com",
      users: ["person01@contoso.com"],
    });
    const person = (await backend.repos.users.findByEmail(orgId, "person01@contoso.com"))!;
    const checkedAt = "2026-12-07T08:00:00.000Z";
    const record = (org: string, userId: string, category: string, severity: "ok" | "error") =>
      backend.repos.mailboxStatus.record({
        orgId: org,
        userId,
        runId: null,
        category,
        severity,
        detail: null,
        checkedAt,
      });
    await record(orgId, person.id, "no_mailbox", "error");
    // The same address in another organization, checked there: not this organization's status.
    await record(other.orgId, other.userIds["person01@contoso.com"]!, "ok", "ok");
    const list = (query: string) =>
      backend.app.inject({ method: "GET", url: `${users()}?${query}`, headers: { authorization: admin } });

    const found = (await list("search=person01")).json<{ items: Array<{ email: string; lastCheck: unknown }> }>();
    expect(found.items).toEqual([
      expect.objectContaining({
        email: "person01@contoso.com",
        lastCheck: { category: "no_mailbox", severity: "error", checkedAt },
      }),
    ]);
    const failing = (await list("status=error")).json<{ items: Array<{ email: string }> }>();
    expect(failing.items.map((user) => user.email)).toEqual(["person01@contoso.com"]);
    expect((await list("status=ok")).json().items).toEqual([]);
    const never = (await list("status=never_checked&limit=500")).json<{
      items: Array<{ email: string; lastCheck: unknown }>;
    }>();
    expect(never.items.map((user) => user.email)).not.toContain("person01@contoso.com");
    expect(never.items.every((user) => user.lastCheck === null)).toBe(true);
    expect((await list("status=failing")).statusCode).toBe(400);
  });

  it("refuses a cursor it did not issue and a limit out of range", async () => {
    const badCursor = await backend.app.inject({
      method: "GET",
      url: `${users()}?cursor=abc`,
      headers: { authorization: admin },
    });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().errors[0].field).toBe("query.cursor");
    const badLimit = await backend.app.inject({
      method: "GET",
      url: `${users()}?limit=5000`,
      headers: { authorization: admin },
    });
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json().errors[0].field).toBe("query.limit");
  });
});

describe("changing and removing users", () => {
  it("promotes a user, then refuses to demote or remove the last admin", async () => {
    const { id } = (await post({ email: "second@contoso.com" })).json<{ id: string }>();
    const promote = await backend.app.inject({
      method: "PATCH",
      url: `${users()}/${id}`,
      headers: { authorization: admin },
      payload: { role: "admin" },
    });
    expect(promote.json()).toMatchObject({ role: "admin" });
    const removed = await backend.app.inject({
      method: "DELETE",
      url: `${users()}/${id}`,
      headers: { authorization: admin },
    });
    expect(removed.statusCode).toBe(204);
    const self = (await backend.repos.users.findByEmail(orgId, "admin@contoso.com"))!;
    const demote = await backend.app.inject({
      method: "PATCH",
      url: `${users()}/${self.id}`,
      headers: { authorization: admin },
      payload: { role: "user" },
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.headers["content-type"]).toContain("application/problem+json");
    expect(demote.json<{ errors: Array<{ field: string }> }>().errors.map((error) => error.field)).toEqual(["role"]);
    const removeSelf = await backend.app.inject({
      method: "DELETE",
      url: `${users()}/${self.id}`,
      headers: { authorization: admin },
    });
    expect(removeSelf.statusCode).toBe(409);
    expect(removeSelf.headers["content-type"]).toContain("application/problem+json");
    expect(removeSelf.json<{ errors: Array<{ field: string }> }>().errors.map((error) => error.field)).toEqual([
      "userId",
    ]);
    // Still there, still an admin.
    expect(await backend.repos.users.findByEmail(orgId, "admin@contoso.com")).toMatchObject({ role: "admin" });
  });

  it("answers 404 for a user id that is not in the organization and 400 for an empty change", async () => {
    const missing = await backend.app.inject({
      method: "DELETE",
      url: `${users()}/00000000-0000-4000-8000-000000000000`,
      headers: { authorization: admin },
    });
    expect(missing.statusCode).toBe(404);
    const self = (await backend.repos.users.findByEmail(orgId, "admin@contoso.com"))!;
    const empty = await backend.app.inject({
      method: "PATCH",
      url: `${users()}/${self.id}`,
      headers: { authorization: admin },
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
  });
});

describe("bulk import", () => {
  const csv = [
    "email,displayName,role",
    "grace@contoso.com,Grace Hopper,admin",
    "GRACE@contoso.com,Grace again,user",
    "not-an-email,Nobody,user",
    "ada.lovelace@contoso.com,Ada,user",
    'alan@contoso.com,"Turing, Alan",user',
    "linus@contoso.com,Linus,superuser",
    "",
  ].join("\r\n");

  it("judges every row on a dry run and writes nothing", async () => {
    const before = (await backend.repos.users.emailsOf(orgId)).size;
    const response = await post({ import: { format: "csv", csv }, dryRun: true });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      dryRun: true,
      total: 6,
      accepted: 2,
      rejected: 4,
      rows: [
        { row: 2, email: "grace@contoso.com", verdict: "ok" },
        {
          row: 3,
          email: "GRACE@contoso.com",
          verdict: "rejected",
          reason: "GRACE@contoso.com is already on line 2 of this import.",
          source: "GRACE@contoso.com,Grace again,user",
        },
        {
          row: 4,
          email: "not-an-email",
          verdict: "rejected",
          reason: "The email is not a valid address: it has no @.",
          source: "not-an-email,Nobody,user",
        },
        {
          row: 5,
          email: "ada.lovelace@contoso.com",
          verdict: "rejected",
          reason: "ada.lovelace@contoso.com is already a user of this organization.",
          source: "ada.lovelace@contoso.com,Ada,user",
        },
        { row: 6, email: "alan@contoso.com", verdict: "ok" },
        {
          row: 7,
          email: "linus@contoso.com",
          verdict: "rejected",
          reason: "The role must be admin or user, not “superuser”.",
          source: "linus@contoso.com,Linus,superuser",
        },
      ],
      lines: { total: 7, header: 1, blank: 0 },
    });
    expect((await backend.repos.users.emailsOf(orgId)).size).toBe(before);
  });

  it("commits the valid rows, reports only the rejected ones and audits the import", async () => {
    const response = await post({ import: { format: "csv", csv } });
    expect(response.statusCode).toBe(200);
    const result = response.json<{ rows: Array<{ row: number }> }>();
    expect(result).toMatchObject({ dryRun: false, total: 6, accepted: 2, rejected: 4 });
    expect(result.rows.map((r) => r.row)).toEqual([3, 4, 5, 7]);
    expect(await backend.repos.users.findByEmail(orgId, "alan@contoso.com")).toMatchObject({
      displayName: "Turing, Alan",
    });
    expect(await backend.repos.users.findByEmail(orgId, "grace@contoso.com")).toMatchObject({ role: "admin" });
    const audit = await backend.repos.audit.list(orgId, { limit: 1 });
    expect(audit.items[0]).toMatchObject({ action: "users.import", after: { accepted: 2, rejected: 4 } });
  });

  it("gives an unclosed quote a verdict on its own line and accounts for every line after it", async () => {
    const text = [
      "email,displayName,role",
      "quote.one@contoso.com,Quote One,user",
      'quote.two@contoso.com,"Quote Two,user',
      "",
      "quote.three@contoso.com,Quote Three,user",
      "quote.four@contoso.com,Quote Four,user",
    ].join("\n");
    const response = await post({ import: { format: "csv", csv: text }, dryRun: true });
    expect(response.statusCode).toBe(200);
    const result = response.json<{
      rows: Array<{ row: number; verdict: string; reason?: string; source?: string }>;
      lines: { total: number; header: number; blank: number };
    }>();
    expect(result.rows.map(({ row, verdict }) => [row, verdict])).toEqual([
      [2, "ok"],
      [3, "rejected"],
      [5, "ok"],
      [6, "ok"],
    ]);
    expect(result.rows[1]).toMatchObject({
      reason: 'This line has a quote (") that is not closed on its line, so the row could not be read.',
      source: 'quote.two@contoso.com,"Quote Two,user',
    });
    expect(result.lines).toEqual({ total: 6, header: 1, blank: 1 });
    expect(result.lines.header + result.lines.blank + result.rows.length).toBe(result.lines.total);
  });

  it("imports JSON rows the same way", async () => {
    const response = await post({
      import: { format: "json", rows: [{ email: "json1@contoso.com" }, { email: "json2@contoso.com", role: "admin" }] },
    });
    expect(response.json()).toMatchObject({ accepted: 2, rejected: 0, rows: [] });
  });

  it("refuses a CSV without an email column and more than 50,000 rows", async () => {
    const noEmail = await post({ import: { format: "csv", csv: "name\nAda" } });
    expect(noEmail.statusCode).toBe(400);
    expect(noEmail.json().errors[0].field).toBe("import.csv");
    const tooMany = await post({
      import: { format: "csv", csv: `email\n${"x@contoso.com\n".repeat(50_001)}` },
      dryRun: true,
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors[0]).toEqual({ field: "import.csv", message: "must have at most 50000 rows" });
    const tooManyJson = await post({
      import: { format: "json", rows: Array.from({ length: 50_001 }, () => ({ email: "x@contoso.com" })) },
      dryRun: true,
    });
    expect(tooManyJson.statusCode).toBe(400);
    expect(tooManyJson.json().errors[0].field).toBe("import.rows");
  });

  it("names the field inside the import a request got wrong", async () => {
    const response = await post({ import: { format: "json", rows: [{ email: "a@contoso.com", age: 3 }] } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toContainEqual({ field: "import.rows.0.age", message: "is not an accepted field" });
  });
});
