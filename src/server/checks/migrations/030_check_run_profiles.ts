import { sql, type Kysely, type Migration } from "kysely";

/**
 * Check runs over connection profiles (issue 24): a group run is one parent row (what the API, schedules and
 * monitoring see) and one child row per profile with users, each child pointing at its parent and naming the profile
 * it checks through. `profile_id` null reads as the organization's default profile (rows written before this).
 * The one-active-run-per-organization index now counts top-level runs only: a group's children run side by side.
 */
export const migration030CheckRunProfiles: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("check_runs").addColumn("parent_run_id", "text").execute();
    await db.schema.alterTable("check_runs").addColumn("profile_id", "text").execute();
    await db.schema.createIndex("check_runs_parent_idx").on("check_runs").column("parent_run_id").execute();
    await db.schema.dropIndex("check_runs_one_active_per_org").execute();
    await db.schema
      .createIndex("check_runs_one_active_per_org")
      .on("check_runs")
      .column("org_id")
      .unique()
      .where(sql.ref("state"), "in", ["preflight", "running"])
      .where(sql.ref("parent_run_id"), "is", null)
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("check_runs_one_active_per_org").execute();
    await db.schema.dropIndex("check_runs_parent_idx").execute();
    await db.schema.alterTable("check_runs").dropColumn("profile_id").execute();
    await db.schema.alterTable("check_runs").dropColumn("parent_run_id").execute();
    await db.schema
      .createIndex("check_runs_one_active_per_org")
      .on("check_runs")
      .column("org_id")
      .unique()
      .where(sql.ref("state"), "in", ["preflight", "running"])
      .execute();
  },
};
