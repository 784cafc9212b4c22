/**
 * Which of the product's migrations a database has not applied yet, without applying any: readiness and the doctor
 * ask this of a live database (the server itself migrates at start-up).
 */
import { Migrator, type Kysely, type Migration } from "kysely";

/** The names of `migrations` (the domains' list, domains.ts) not yet applied to `db`. */
export async function pendingMigrations<Tables>(
  db: Kysely<Tables>,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const known = await migrator.getMigrations();
  return known.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
