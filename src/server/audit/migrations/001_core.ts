import type { Kysely, Migration } from "kysely";

/** Part of migration "001_core", which the domains share (see domains.ts): the audit trail. */
export const auditCore001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("audit_events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text")
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("target", "text")
      .addColumn("before_json", "text")
      .addColumn("after_json", "text")
      .execute();
    await db.schema.createIndex("audit_events_org_at_idx").on("audit_events").columns(["org_id", "at", "id"]).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("audit_events").execute();
  },
};
