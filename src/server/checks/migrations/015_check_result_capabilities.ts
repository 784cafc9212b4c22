import type { Kysely, Migration } from "kysely";

/** Per-capability outcomes of a user's check ({mail, calendar, drafts} as JSON); null for rows before it and EWS. */
export const migration015CheckResultCapabilities: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("check_results").addColumn("capabilities_json", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("check_results").dropColumn("capabilities_json").execute();
  },
};
