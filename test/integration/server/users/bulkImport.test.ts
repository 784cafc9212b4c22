/** The 50,000-row import through the API: a dry run judges every row, a commit stores them in one transaction. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { postgresEnabled } from "../../../support/postgres.js";

/** Good rows; with the three bad ones the import is exactly the 50,000-row maximum. */
const ROWS = 49_997;

function csv(rows: number, domain: string): string {
  const lines = ["email,displayName,role"];
  for (let i = 0; i < rows; i += 1) lines.push(`user${i}@${domain},User ${i},${i % 1000 === 0 ? "admin" : "user"}`);
  // Three bad rows among the good ones: a duplicate, an invalid email and an unknown role.
  lines.push(`USER7@${domain},Duplicate,user`, "not-an-email,Broken,user", `extra@${domain},Extra,owner`);
  return lines.join("\n");
}

const dialects: Array<"sqlite" | "postgres"> = ["sqlite"];
if (await postgresEnabled()) dialects.push("postgres");

describe.each(dialects)("importing 50,000 users on %s", (dialect) => {
  let backend: TestBackend;
  let orgId = "";
  let admin = "";

  beforeAll(async () => {
    backend = await createTestBackend({ dialect });
    orgId = (await backend.seedOrg({ name: "Big Corp", admin: "admin@big.example" })).orgId;
    admin = await backend.bearer("admin@big.example");
  });
  afterAll(async () => {
    await backend.close();
  });

  const importCsv = (dryRun: boolean) =>
    backend.app.inject({
      method: "POST",
      url: `/api/orgs/${orgId}/users`,
      headers: { authorization: admin },
      payload: { import: { format: "csv", csv: csv(ROWS, "big.example") }, dryRun },
    });

  it("judges every row on a dry run", async () => {
    const response = await importCsv(true);
    expect(response.statusCode).toBe(200);
    const result = response.json<{ total: number; accepted: number; rejected: number; rows: unknown[] }>();
    expect(result).toMatchObject({ dryRun: true, total: ROWS + 3, accepted: ROWS, rejected: 3 });
    expect(result.rows).toHaveLength(ROWS + 3);
    expect(await backend.repos.organizations.userCount(orgId)).toBe(1);
  });

  it("commits all valid rows in under 10 seconds and reports the three rejected ones", async () => {
    const started = performance.now();
    const response = await importCsv(false);
    const seconds = (performance.now() - started) / 1000;
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      dryRun: false,
      accepted: ROWS,
      rejected: 3,
      rows: [
        { row: ROWS + 2, verdict: "rejected", reason: "USER7@big.example is already on line 9 of this import." },
        { row: ROWS + 3, verdict: "rejected" },
        { row: ROWS + 4, verdict: "rejected" },
      ],
    });
    expect(await backend.repos.organizations.userCount(orgId)).toBe(ROWS + 1);
    if (dialect === "sqlite") expect(seconds).toBeLessThan(10);
  });

  it("rejects every row the second time, as each is already a member", async () => {
    const response = await importCsv(true);
    expect(response.json()).toMatchObject({ accepted: 0, rejected: ROWS + 3 });
  });
});
