/**
 * PostgreSQL for tests: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), one fresh schema per
 * test file so files run in parallel. Outside CI a missing server skips with a reason; under CI=true it fails.
 */
import pg from "pg";
import { randomBytes } from "node:crypto";
import { openDatabase, type Database } from "../../src/server/db/database.js";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let availability: Promise<string | null> | null = null;

/** Null when PostgreSQL answers; otherwise why not (used as the skip reason). */
export function postgresUnavailableReason(): Promise<string | null> {
  availability ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("select 1");
      return null;
    } catch (error) {
      return `PostgreSQL at ${TEST_DATABASE_URL} is not reachable (${error instanceof Error ? error.message : String(error)})`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return availability;
}

/** Whether PostgreSQL tests run here; throws under CI when the server is missing, since CI must cover it. */
export async function postgresEnabled(): Promise<boolean> {
  const reason = await postgresUnavailableReason();
  if (reason === null) return true;
  if (process.env.CI === "true") throw new Error(`CI requires PostgreSQL: ${reason}`);
  console.warn(`Skipping PostgreSQL tests: ${reason}`);
  return false;
}

export interface TestPostgres {
  database: Database;
  schema: string;
  drop(): Promise<void>;
}

export async function openTestPostgres(prefix: string): Promise<TestPostgres> {
  const schema = `${prefix}_${randomBytes(6).toString("hex")}`.toLowerCase();
  const database = await openDatabase(TEST_DATABASE_URL, { schema });
  return {
    database,
    schema,
    drop: async () => {
      await database.close();
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        // pg-boss's tables for the chunk queue live beside it (checks/chunkQueue.ts).
        await client.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
