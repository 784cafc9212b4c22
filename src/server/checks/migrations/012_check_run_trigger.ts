import type { Kysely, Migration } from "kysely";

/** Who started a check run: manual, scheduled or after_change. Null (rows written before) reads as manual. */
export const migration012CheckRunTrigger: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("check_runs").addColumn("run_trigger", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("check_runs").dropColumn("run_trigger").execute();
  },
};
