/** A migrated database per test file: a temp SQLite file, or a unique schema on the test PostgreSQL. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { openDatabase, type Database } from "../../src/server/db/database.js";
import { migrateToLatest } from "../../src/server/domains.js";
import { TEST_DATABASE_URL, openTestPostgres } from "./postgres.js";

async function migrate(database: Database): Promise<void> {
  await migrateToLatest(database.db as unknown as Kysely<unknown>);
}

export type TestDialect = "sqlite" | "postgres";

/** The test database's URL with its connections on `schema`, as libpq spells it (for a child process). */
export function postgresUrlOn(schema: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

export interface TestDatabase {
  database: Database;
  /** DATABASE_URL for a child process (SQLite file path; PostgreSQL URL with the schema in search_path). */
  url: string;
  schema: string | null;
  dispose(): Promise<void>;
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "checks-db-"));
    const file = path.join(dir, "test.sqlite");
    const database = await openDatabase(file);
    await migrate(database);
    return {
      database,
      url: file,
      schema: null,
      async dispose() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const postgres = await openTestPostgres("checks");
  await migrate(postgres.database);
  return {
    database: postgres.database,
    url: postgresUrlOn(postgres.schema),
    schema: postgres.schema,
    dispose: () => postgres.drop(),
  };
}
