import type { Kysely, Migration } from "kysely";

/**
 * Why a run in the history stopped early (auth_failed, preflight_failed, throttled, failed): its category and the
 * message shown for it, so the Health tab marks a stopped run with its reason. Null for runs that finished, were
 * cancelled, or were recorded before this migration.
 */
export const migration021RunHistoryStop: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("monitoring_run_history").addColumn("stop_category", "text").execute();
    await db.schema.alterTable("monitoring_run_history").addColumn("stop_message", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("monitoring_run_history").dropColumn("stop_message").execute();
    await db.schema.alterTable("monitoring_run_history").dropColumn("stop_category").execute();
  },
};
