/**
 * The one ordered list of numbered migrations, applied at start-up. 001–009 belong to the core backend; the check
 * runner adds 010 and up here (one import and one line each). Names sort in order of application.
 */
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from "kysely";
import { migration001Core } from "../orgs/migrations/001_core.js";
import { migration002MailboxStatus } from "../checks/migrations/002_mailbox_status.js";
import { migration010CheckRuns } from "../checks/migrations/010_check_runs.js";

export const migrations: Record<string, Migration> = {
  "001_core": migration001Core,
  "002_mailbox_status": migration002MailboxStatus,
  "010_check_runs": migration010CheckRuns,
};

export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(`Migration ${migration ?? "(unknown)"} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "MigrationError";
  }
}

/** Applies every pending migration; throws MigrationError naming the one that failed. */
export async function migrateToLatest<Tables>(db: Kysely<Tables>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((entry) => entry.status === "Error");
    throw new MigrationError(failed?.migrationName, result.error);
  }
  return result;
}
