import type { Kysely, Migration } from "kysely";

/** Each user's latest mailbox check result: the check runner writes it, GET /api/me/mailbox-status reads it. */
export const migration002MailboxStatus: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("user_mailbox_status")
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("user_id", "text", (c) => c.notNull().references("org_users.id").onDelete("cascade"))
      .addColumn("run_id", "text")
      .addColumn("category", "text", (c) => c.notNull())
      .addColumn("severity", "text", (c) => c.notNull())
      .addColumn("detail", "text")
      .addColumn("checked_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("user_mailbox_status_pk", ["org_id", "user_id"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("user_mailbox_status").execute();
  },
};
