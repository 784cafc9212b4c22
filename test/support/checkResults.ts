/**
 * What a check run stored, counted straight from the database: the tests of several processes and crashes (and the
 * checks benchmark) assert exactly one result per user with it, a group run's over all of its children.
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

/** Counts a plain run's results, or a group run's over every child run (its parent holds no users of its own). */
export async function storedResults(baseDb: Db, runId: string): Promise<StoredResults> {
  const db = baseDb.withTables<CheckTables>();
  const children = await db.selectFrom("check_runs").select("id").where("parent_run_id", "=", runId).execute();
  const runIds = [runId, ...children.map((child) => child.id)];
  const stored = await db
    .selectFrom("check_results")
    .select((eb) => [
      eb.fn.countAll<string | number>().as("rows"),
      eb.fn.count<string | number>("user_id").distinct().as("users"),
    ])
    .where("run_id", "in", runIds)
    .executeTakeFirstOrThrow();
  const repository = checkRunsRepository(baseDb);
  let missing = 0;
  for (const id of runIds) missing += await repository.pendingCount(id);
  return { rows: Number(stored.rows), users: Number(stored.users), missing };
}
