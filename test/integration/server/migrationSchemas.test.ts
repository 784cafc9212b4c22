/**
 * Several schemas on one PostgreSQL server (tests in parallel, or deployments sharing a server): each one's migrations
 * keep their own bookkeeping, whatever the other schemas hold.
 */
import { afterAll, describe, expect, it } from "vitest";
import { migrateToLatest, migrations, pendingMigrations } from "../../../src/server/domains.js";
import { openTestPostgres, postgresEnabled, type TestPostgres } from "../../support/postgres.js";

describe.runIf(await postgresEnabled())("migrations on a PostgreSQL server with several schemas", () => {
  const opened: TestPostgres[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((postgres) => postgres.drop()));
  });

  it("migrates a new schema while another schema already holds migrated tables, and each knows its own", async () => {
    const first = await openTestPostgres("migrated_first");
    opened.push(first);
    await migrateToLatest(first.database.db);

    const second = await openTestPostgres("migrated_second");
    opened.push(second);
    expect(await pendingMigrations(second.database.db)).toEqual(Object.keys(migrations));
    const applied = await migrateToLatest(second.database.db);
    expect(applied.results?.every((result) => result.status === "Success")).toBe(true);
    expect(applied.results).toHaveLength(Object.keys(migrations).length);
    expect(await pendingMigrations(second.database.db)).toEqual([]);
    expect(await pendingMigrations(first.database.db)).toEqual([]);
  });
});
