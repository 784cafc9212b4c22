import type { Kysely, Migration } from "kysely";

/** The app-only client secret's expiry date, entered with the secret (monitoring warns before it); null: unknown. */
export const migration014ClientSecretExpiry: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("email_configs").addColumn("client_secret_expires_at", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("email_configs").dropColumn("client_secret_expires_at").execute();
  },
};
