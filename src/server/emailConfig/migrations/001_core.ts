import type { Kysely, Migration } from "kysely";

/** Part of migration "001_core", which the domains share (see domains.ts): one email configuration per organization. */
export const emailConfigCore001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("email_configs")
      .addColumn("org_id", "text", (c) => c.primaryKey().references("organizations.id").onDelete("cascade"))
      .addColumn("access_type", "text")
      .addColumn("ews_url", "text")
      .addColumn("account_logon", "text")
      .addColumn("password_enc", "text")
      .addColumn("service_account_username", "text")
      .addColumn("service_account_state", "text", (c) => c.notNull().defaultTo("not_signed_in"))
      .addColumn("service_account_token_expires_at", "text")
      .addColumn("token_cache_enc", "text")
      .addColumn("app_tenant_id", "text")
      .addColumn("app_client_id", "text")
      .addColumn("app_credential_type", "text")
      .addColumn("client_secret_enc", "text")
      .addColumn("certificate_pem", "text")
      .addColumn("certificate_thumbprint", "text")
      .addColumn("private_key_enc", "text")
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("updated_by", "text")
      .addColumn("updated_at", "text")
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("email_configs").execute();
  },
};
