import { sql, type Kysely, type Migration } from "kysely";

/** Part of migration "001_core", which the domains share (see domains.ts): an organization's users; sign-in looks a caller up by email. */
export const usersCore001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("org_users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("email_normalized", "text", (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('admin', 'user')`))
      .addColumn("added_by", "text", (c) => c.notNull())
      .addColumn("added_at", "text", (c) => c.notNull())
      .addUniqueConstraint("org_users_org_email_unique", ["org_id", "email_normalized"])
      .execute();
    // Sign-in looks a caller up by email across organizations.
    await db.schema.createIndex("org_users_email_idx").on("org_users").column("email_normalized").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("org_users").execute();
  },
};
