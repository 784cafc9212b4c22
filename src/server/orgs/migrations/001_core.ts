import { sql, type Kysely, type Migration } from "kysely";

/** Organizations, their users, one email configuration per organization, and the audit trail. */
export const migration001Core: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("organizations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("tenant_id", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("org_users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("email_normalized", "text", (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('admin', 'user')`))
      .addColumn("added_by", "text", (c) => c.notNull())
      .addColumn("added_at", "text", (c) => c.notNull())
      .addUniqueConstraint("org_users_org_email_unique", ["org_id", "email_normalized"])
      .execute();
    // Sign-in looks a caller up by email across organizations.
    await db.schema.createIndex("org_users_email_idx").on("org_users").column("email_normalized").execute();

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
    await db.schema.dropTable("email_configs").execute();
    await db.schema.dropTable("org_users").execute();
    await db.schema.dropTable("organizations").execute();
  },
};
