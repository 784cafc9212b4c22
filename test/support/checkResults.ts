/**
 * What a check run stored, counted straight from the database: the tests of several processes and crashes (and the
 * checks benchmark) assert exactly one result per user with it.
 */
import type { Db } from "../../src/server/db/database.js";
import type { CheckTables } from "../../src/server/checks/tables.js";

export interface StoredResults {
  /** Result rows of the run. */
  rows: number;
  /** Distinct users among them (rows − users: results stored twice). */
  users: number;
  /** Users of the run without a result. */
  missing: number;
}

export async function storedResults(baseDb: Db, runId: string): Promise<StoredResults> {
  const db = baseDb.withTables<CheckTables>();
  const stored = await db
    .selectFrom("check_results")
    .select((eb) => [
      eb.fn.countAll<string | number>().as("rows"),
      eb.fn.count<string | number>("user_id").distinct().as("users"),
    ])
    .where("run_id", "=", runId)
    .executeTakeFirstOrThrow();
  const missing = await db
    .selectFrom("check_run_users as u")
    .leftJoin("check_results as r", (join) =>
      join.onRef("r.run_id", "=", "u.run_id").onRef("r.user_id", "=", "u.user_id"),
    )
    .select((eb) => eb.fn.countAll<string | number>().as("count"))
    .where("u.run_id", "=", runId)
    .where("r.user_id", "is", null)
    .executeTakeFirstOrThrow();
  return { rows: Number(stored.rows), users: Number(stored.users), missing: Number(missing.count) };
}
