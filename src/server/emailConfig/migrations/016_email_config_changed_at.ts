import type { Kysely, Migration } from "kysely";
import { sql } from "kysely";

/**
 * When the email configuration last changed (a save that changed a value; not a token refresh): a check started
 * soon after says that Exchange Online may still apply the old settings. Rows saved before it start from updated_at.
 */
export const migration016EmailConfigChangedAt: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("email_configs").addColumn("changed_at", "text").execute();
    await sql`update email_configs set changed_at = updated_at`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("email_configs").dropColumn("changed_at").execute();
  },
};
