import type { Kysely, Migration } from "kysely";

/**
 * Results carry the placement. On check_results: the profile that checked the user (null on older rows: the
 * organization's default profile), the profile the product would place them in when it differs, and the evidence
 * the answer gave (MailboxPlacement as JSON). On monitoring_status_changes: a line saying what a `moved` change did
 * (from which profile to which, and why). No foreign keys: a result keeps naming a profile deleted since.
 */
export const migration029ResultPlacement: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("check_results").addColumn("profile_id", "text").execute();
    await db.schema.alterTable("check_results").addColumn("suggested_profile_id", "text").execute();
    await db.schema.alterTable("check_results").addColumn("placement_json", "text").execute();
    await db.schema.alterTable("monitoring_status_changes").addColumn("detail", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("monitoring_status_changes").dropColumn("detail").execute();
    for (const column of ["placement_json", "suggested_profile_id", "profile_id"]) {
      await db.schema.alterTable("check_results").dropColumn(column).execute();
    }
  },
};
