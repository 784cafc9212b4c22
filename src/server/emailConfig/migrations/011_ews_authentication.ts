import type { Kysely, Migration } from "kysely";

/**
 * How the Microsoft Exchange Impersonation service account signs in: automatic, ntlm or basic. Null (every row
 * saved before this migration) reads as automatic, which picks Basic where the server offers only Basic.
 */
export const migration011EwsAuthentication: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("email_configs").addColumn("ews_authentication", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("email_configs").dropColumn("ews_authentication").execute();
  },
};
