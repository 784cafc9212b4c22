import type { Kysely, Migration } from "kysely";

/**
 * Canaries (mailboxes outside the scope on purpose) per organization, and each run's probe of them. A verdict keeps
 * the address it probed, so a run's record stays readable after its canary is removed.
 */
export const migration028Canaries: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("canaries")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("address", "text", (c) => c.notNull())
      .addColumn("added_by", "text", (c) => c.notNull())
      .addColumn("added_at", "text", (c) => c.notNull())
      .addUniqueConstraint("canaries_org_address_uq", ["org_id", "address"])
      .execute();
    await db.schema
      .createTable("canary_verdicts")
      .addColumn("run_id", "text", (c) => c.notNull().references("check_runs.id").onDelete("cascade"))
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("address", "text", (c) => c.notNull())
      .addColumn("verdict", "text", (c) => c.notNull())
      .addColumn("category", "text", (c) => c.notNull())
      .addColumn("leaked_json", "text", (c) => c.notNull())
      .addColumn("cause", "text")
      .addColumn("remedy", "text")
      .addColumn("detail", "text")
      .addColumn("checked_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("canary_verdicts_pk", ["run_id", "address"])
      .execute();
    await db.schema
      .createIndex("canary_verdicts_org_idx")
      .on("canary_verdicts")
      .columns(["org_id", "run_id"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("canary_verdicts").execute();
    await db.schema.dropTable("canaries").execute();
  },
};
