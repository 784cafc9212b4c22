import type { Kysely, Migration } from "kysely";

/**
 * Which profile checks each user. On org_users: the admin's explicit choice (profile_id; null: none), and the
 * profile the check engine last placed the user in with its reason (placed_*; read when the organization's placement
 * is Automatic). Per organization: whether placement is Automatic, and the ordered rules (mail domain → profile).
 * Every user starts with no explicit profile and no rule, so every existing user stays on the default profile.
 */
export const migration027ProfilePlacement: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("org_users")
      .addColumn("profile_id", "text", (c) => c.references("email_configs.id"))
      .execute();
    await db.schema
      .alterTable("org_users")
      .addColumn("placed_profile_id", "text", (c) => c.references("email_configs.id").onDelete("set null"))
      .execute();
    await db.schema.alterTable("org_users").addColumn("placement_reason", "text").execute();
    await db.schema.alterTable("org_users").addColumn("placed_at", "text").execute();
    await db.schema.createIndex("org_users_profile_idx").on("org_users").columns(["org_id", "profile_id"]).execute();

    await db.schema
      .createTable("profile_placement")
      .addColumn("org_id", "text", (c) => c.primaryKey().references("organizations.id").onDelete("cascade"))
      .addColumn("automatic", "integer", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("updated_by", "text")
      .addColumn("updated_at", "text")
      .execute();
    await db.schema
      .createTable("profile_rules")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("profile_id", "text", (c) => c.notNull().references("email_configs.id").onDelete("cascade"))
      .addUniqueConstraint("profile_rules_org_kind_value_unique", ["org_id", "kind", "value"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("profile_rules").execute();
    await db.schema.dropTable("profile_placement").execute();
    await db.schema.dropIndex("org_users_profile_idx").execute();
    for (const column of ["placed_at", "placement_reason", "placed_profile_id", "profile_id"]) {
      await db.schema.alterTable("org_users").dropColumn(column).execute();
    }
  },
};
