import type { Kysely, Migration } from "kysely";

/**
 * The slots of each service account's budget that backend processes on PostgreSQL hold (sharedSlots.ts): one row
 * per slot, held by one process until it expires; and the processes that want slots of each budget (the fair share
 * is the budget over their number). Created on SQLite too (the same migrations everywhere), unused there.
 */
export const migration017CheckBudgetLeases: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("check_budget_leases")
      .addColumn("budget_key", "text", (c) => c.notNull())
      .addColumn("slot", "integer", (c) => c.notNull())
      .addColumn("holder", "text", (c) => c.notNull())
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .addPrimaryKeyConstraint("check_budget_leases_pk", ["budget_key", "slot"])
      .execute();
    await db.schema
      .createTable("check_budget_members")
      .addColumn("budget_key", "text", (c) => c.notNull())
      .addColumn("holder", "text", (c) => c.notNull())
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .addPrimaryKeyConstraint("check_budget_members_pk", ["budget_key", "holder"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("check_budget_members").execute();
    await db.schema.dropTable("check_budget_leases").execute();
  },
};
