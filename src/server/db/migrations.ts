/**
 * Applies numbered migrations at start-up. Each domain keeps its own (orgs/migrations/, checks/migrations/, …);
 * domains.ts hands the one list here. Several domains may contribute steps to one name (the first release's
 * "001_core" created every core table at once): their steps run in list order, and are undone in reverse.
 */
import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationResultSet } from "kysely";

export type MigrationSet = Record<string, Migration>;

/** One ordered set from each domain's, by name; names sort in order of application. */
export function mergeMigrations(sets: readonly MigrationSet[]): MigrationSet {
  const steps = new Map<string, Migration[]>();
  for (const set of sets) {
    for (const [name, migration] of Object.entries(set)) steps.set(name, [...(steps.get(name) ?? []), migration]);
  }
  const merged: MigrationSet = {};
  for (const name of [...steps.keys()].sort()) {
    const parts = steps.get(name) ?? [];
    merged[name] = {
      async up(db) {
        for (const part of parts) await part.up(db);
      },
      async down(db) {
        for (const part of [...parts].reverse()) await part.down?.(db);
      },
    };
  }
  return merged;
}

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

/**
 * A migrator for `db`. On PostgreSQL its bookkeeping tables are named in the connection's own schema: without it
 * Kysely looks for them in every schema, so another schema's (another test's, another deployment's on a shared
 * server) make it skip creating its own and then fail ("relation kysely_migration_lock does not exist").
 */
export async function migratorFor<Tables>(db: Kysely<Tables>, migrations: MigrationSet): Promise<Migrator> {
  const base = db as Kysely<unknown>;
  let migrationTableSchema: string | undefined;
  if (base.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(base);
    migrationTableSchema = rows[0]?.schema;
  }
  return new Migrator({
    db: base,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
}

/** Applies every pending migration; throws MigrationError naming the one that failed. */
export async function migrateToLatest<Tables>(
  db: Kysely<Tables>,
  migrations: MigrationSet,
): Promise<MigrationResultSet> {
  const migrator = await migratorFor(db, migrations);
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((entry) => entry.status === "Error");
    throw new MigrationError(failed?.migrationName, result.error);
  }
  return result;
}
