/**
 * Issue 17, defects 1 and 2: every address the API accepts (one user, JSON and CSV import, Account Logon, the
 * magic wand) refuses characters an encoder downstream would drop or change, and internationalized addresses,
 * naming the row, the field and the character; display names refuse NUL, ESC and bidirectional overrides.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../support/backend.js";

let backend: TestBackend;
let orgId = "";
let admin = "";
let memberId = "";

beforeAll(async () => {
  backend = await createTestBackend();
  const seeded = await backend.seedOrg({
    name: "Contoso",
    admin: "admin@contoso.lab",
    users: ["alex.wilber@contoso.lab"],
  });
  orgId = seeded.orgId;
  memberId = seeded.userIds["alex.wilber@contoso.lab"]!;
  admin = await backend.bearer("admin@contoso.lab");
});
afterAll(async () => {
  await backend.close();
});

const call = (method: "POST" | "PUT" | "PATCH", url: string, payload: unknown, headers: Record<string, string> = {}) =>
  backend.app.inject({ method, url, headers: { authorization: admin, ...headers }, payload: payload as object });

async function storedEmails(): Promise<string[]> {
  return [...(await backend.repos.users.emailsOf(orgId))].sort();
}

describe("adding one user", () => {
  it.each([
    ["alex.wil\u0001ber@contoso.lab", "contains a control character (U+0001) at position 9"],
    ["alex.wil\u0000ber@contoso.lab", "contains a control character (U+0000) at position 9"],
    ["alex.wil\u200Bber@contoso.lab", "contains an invisible character (U+200B ZERO WIDTH SPACE) at position 9"],
    [
      "alex.wil\u202Eber@contoso.lab",
      "contains a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE) at position 9",
    ],
  ])("refuses %j with 400 naming the field and the character, storing nothing", async (email, message) => {
    const before = await storedEmails();
    const response = await call("POST", `/api/orgs/${orgId}/users`, { email });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    expect(response.json().errors).toEqual([
      { field: "email", message: `must be a valid email address: it ${message}` },
    ]);
    expect(await storedEmails()).toEqual(before);
  });

  it("refuses an internationalized address at the door with the reason, instead of a network_error later", async () => {
    const response = await call("POST", `/api/orgs/${orgId}/users`, { email: "zhang.张伟@contoso.lab" });
    expect(response.statusCode).toBe(400);
    const [error] = response.json().errors as Array<{ field: string; message: string }>;
    expect(error?.field).toBe("email");
    expect(error?.message).toContain("contains a non-ASCII character (张, U+5F20) at position 7");
    expect(error?.message).toContain("internationalized addresses (RFC 6531) are not supported");
  });

  it.each([
    ["Alex\u0000", "contains a control character (U+0000) at position 5"],
    ["\u001b]0;pwned\u0007Alex", "contains a control character (U+001B) at position 1"],
    ["Alex\u202Etxt.exe", "contains a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE) at position 5"],
  ])("refuses the display name %j on add and on change", async (displayName, message) => {
    const added = await call("POST", `/api/orgs/${orgId}/users`, { email: "new.user@contoso.lab", displayName });
    expect(added.statusCode).toBe(400);
    expect(added.json().errors).toEqual([{ field: "displayName", message }]);
    const changed = await call("PATCH", `/api/orgs/${orgId}/users/${memberId}`, { displayName });
    expect(changed.statusCode).toBe(400);
    expect(changed.json().errors).toEqual([{ field: "displayName", message }]);
    expect((await backend.repos.users.get(orgId, memberId))?.displayName).toBe("alex.wilber@contoso.lab");
  });

  it("still accepts names in any script, with joiners and direction marks", async () => {
    const response = await call("POST", `/api/orgs/${orgId}/users`, {
      email: "zhang.wei@contoso.lab",
      displayName: "张伟 \u200F👩\u200D💻",
    });
    expect(response.statusCode).toBe(201);
  });
});

describe("bulk import", () => {
  const badRows = [
    { email: "alex.wil\u0001ber@contoso.lab", displayName: "Alex" },
    { email: "zhang.张伟@contoso.lab" },
    { email: "ok.user@contoso.lab", displayName: "Ok\u001b[2J" },
    { email: "fine.user@contoso.lab", displayName: "Fine" },
  ];

  it("rejects each bad JSON row with its row number, field and character", async () => {
    const response = await call("POST", `/api/orgs/${orgId}/users`, {
      import: { format: "json", rows: badRows },
      dryRun: true,
    });
    expect(response.statusCode).toBe(200);
    const rows = response.json().rows as Array<{ row: number; verdict: string; reason?: string }>;
    expect(rows.map(({ row, verdict, reason }) => ({ row, verdict, reason }))).toEqual([
      {
        row: 1,
        verdict: "rejected",
        reason: "The email is not a valid address: it contains a control character (U+0001) at position 9.",
      },
      {
        row: 2,
        verdict: "rejected",
        reason: expect.stringMatching(
          /^The email is not a valid address: it contains a non-ASCII character \(张, U\+5F20\) at position 7; /,
        ) as string,
      },
      { row: 3, verdict: "rejected", reason: "The display name contains a control character (U+001B) at position 3." },
      { row: 4, verdict: "ok", reason: undefined },
    ]);
  });

  it("rejects the same rows from CSV and stores only the good one", async () => {
    const csv = [
      "email,displayName",
      '"alex.wil\u0001ber@contoso.lab",Alex',
      "zhang.张伟@contoso.lab,",
      '"ok.user@contoso.lab","Ok\u001b[2J"',
      "fine.user@contoso.lab,Fine",
    ].join("\r\n");
    const response = await call("POST", `/api/orgs/${orgId}/users`, { import: { format: "csv", csv } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ total: 4, accepted: 1, rejected: 3 });
    expect((response.json().rows as Array<{ row: number }>).map((row) => row.row)).toEqual([2, 3, 4]);
    const stored = await storedEmails();
    expect(stored).toContain("fine.user@contoso.lab");
    expect(stored.some((email) => email !== email.replace(/[^\x20-\x7E]/g, ""))).toBe(false);
  });
});

describe("Account Logon and the magic wand", () => {
  it("refuses an Account Logon with a control character, as an address or DOMAIN\\user", async () => {
    for (const accountLogon of ["svc.sy\u0001nc@contoso.lab", "CONTOSO\\svc\u0000sync"]) {
      const response = await call(
        "PUT",
        `/api/orgs/${orgId}/email-config`,
        {
          accessType: "ews_basic_impersonation",
          ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
          accountLogon,
          password: "Pa55word!",
        },
        { "if-match": '"0"' },
      );
      expect(response.statusCode, accountLogon).toBe(422);
      const errors = response.json().errors as Array<{ field: string; message: string }>;
      expect(errors).toEqual([
        { field: "accountLogon", message: expect.stringMatching(/control character/) as string },
      ]);
    }
    expect((await backend.repos.emailConfigs.get(orgId)).accountLogon).toBeNull();
  });

  it("refuses an internationalized service account address for EWS OAuth", async () => {
    const response = await call(
      "PUT",
      `/api/orgs/${orgId}/email-config`,
      {
        accessType: "ews_oauth_impersonation",
        ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
        accountLogon: "zhang.张伟@contoso.lab",
      },
      { "if-match": '"0"' },
    );
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0]).toMatchObject({
      field: "accountLogon",
      message: expect.stringContaining("non-ASCII character (张, U+5F20)") as string,
    });
  });

  it("refuses a discovery address or logon a downstream encoder would change, before any request goes out", async () => {
    const response = await call("POST", `/api/orgs/${orgId}/email-config/discover`, {
      address: "alex.wil\u0001ber@contoso.lab",
      accountLogon: "svc\u202E@contoso.lab",
      password: "x",
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([
      {
        field: "address",
        message: "must be an email address or a DNS domain: it contains a control character (U+0001) at position 9",
      },
      {
        field: "accountLogon",
        message: expect.stringContaining("bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE)") as string,
      },
    ]);
  });
});
