/**
 * Which of the product's migrations a database has not applied yet, without applying any: readiness and the doctor
 * ask this of a live database (the server itself migrates at start-up).
 */
import { Migrator, type Kysely } from "kysely";
import { migrations } from "./migrations/index.js";

export async function pendingMigrations<Tables>(db: Kysely<Tables>): Promise<string[]> {
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const known = await migrator.getMigrations();
  return known.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
