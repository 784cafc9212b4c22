import type { Kysely, Migration } from "kysely";

/** Part of migration "001_core", which the domains share (see domains.ts): organizations. */
export const orgsCore001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("organizations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("tenant_id", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("organizations").execute();
  },
};
