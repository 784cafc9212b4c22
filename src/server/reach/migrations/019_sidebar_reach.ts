import type { Kysely, Migration } from "kysely";

/** Sidebar reach: one row per user, their latest report from the pane (client, versions, sign-in path, failure). */
export const migration019SidebarReach: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("sidebar_reach")
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("user_id", "text", (c) => c.notNull().references("org_users.id").onDelete("cascade"))
      .addColumn("reported_at", "text", (c) => c.notNull())
      .addColumn("client", "text", (c) => c.notNull())
      .addColumn("platform", "text")
      .addColumn("client_version", "text")
      .addColumn("addin_version", "text", (c) => c.notNull())
      .addColumn("manifest", "text", (c) => c.notNull())
      .addColumn("mailbox_version", "text")
      .addColumn("nested_app_auth", "integer", (c) => c.notNull())
      .addColumn("sign_in_path", "text")
      .addColumn("sign_in_failure", "text")
      .addPrimaryKeyConstraint("sidebar_reach_pk", ["org_id", "user_id"])
      .execute();
    // The retention purge deletes by age across organizations.
    await db.schema.createIndex("sidebar_reach_reported_idx").on("sidebar_reach").column("reported_at").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("sidebar_reach").execute();
  },
};
