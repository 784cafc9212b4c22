/**
 * Which of the product's migrations a database has not applied yet, without applying any: readiness and the doctor
 * ask this of a live database (the server itself migrates at start-up).
 */
import type { Kysely, Migration } from "kysely";
import { migratorFor } from "./migrations.js";

/** The names of `migrations` (the domains' list, domains.ts) not yet applied to `db`. */
export async function pendingMigrations<Tables>(
  db: Kysely<Tables>,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  const migrator = await migratorFor(db, migrations);
  const known = await migrator.getMigrations();
  return known.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
