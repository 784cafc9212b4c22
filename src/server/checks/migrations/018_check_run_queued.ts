import type { Kysely, Migration } from "kysely";

/**
 * When a run's users were queued as chunk jobs (PostgreSQL, pg-boss): from then on the queue, not one process,
 * carries the run, and no process takes it over as a whole. Null on SQLite and for runs not yet queued.
 */
export const migration018CheckRunQueued: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("check_runs").addColumn("queued_at", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("check_runs").dropColumn("queued_at").execute();
  },
};
