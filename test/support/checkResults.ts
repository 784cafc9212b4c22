/**
 * What a check run stored, counted straight from the database: the tests of several processes and crashes (and the
 * checks benchmark) assert exactly one result per user with it.
 */
import type { Db } from "../../src/server/db/database.js";
import { checkRunsRepository } from "../../src/server/checks/repository.js";
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
  const missing = await checkRunsRepository(baseDb).pendingCount(runId);
  return { rows: Number(stored.rows), users: Number(stored.users), missing };
}
