import { sql, type Kysely, type Migration } from "kysely";

/**
 * Connection profiles: email_configs holds one row per profile instead of one per organization (the table keeps its
 * name, so the re-sealer, the doctor and every reader stay where they were). Each organization's configuration
 * becomes its default profile, named "Default", with the organization's id as the profile's id: its envelopes stay
 * bound to `email_configs.<column>:<that id>` exactly as they were sealed (a migration has no keyring to re-seal), and
 * everything that points at the organization's configuration (check runs, schedules, audit events) points at that
 * profile unchanged. Organizations without a configuration get an empty default profile (version 0), as the pane saw
 * them. SQLite cannot change a primary key in place, so the table is rebuilt on both databases.
 */
const CONFIG_COLUMNS = [
  "access_type",
  "ews_url",
  "account_logon",
  "password_enc",
  "ews_authentication",
  "service_account_username",
  "service_account_state",
  "service_account_token_expires_at",
  "token_cache_enc",
  "app_tenant_id",
  "app_client_id",
  "app_credential_type",
  "client_secret_enc",
  "client_secret_expires_at",
  "certificate_pem",
  "certificate_thumbprint",
  "private_key_enc",
  "version",
  "updated_by",
  "updated_at",
  "changed_at",
] as const;

const columnList = (prefix: string) => sql.raw(CONFIG_COLUMNS.map((column) => `${prefix}${column}`).join(", "));

export const migration026ConnectionProfiles: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("connection_profiles_026")
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("name_normalized", "text", (c) => c.notNull())
      .addColumn("is_default", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("access_type", "text")
      .addColumn("ews_url", "text")
      .addColumn("account_logon", "text")
      .addColumn("password_enc", "text")
      .addColumn("ews_authentication", "text")
      .addColumn("service_account_username", "text")
      .addColumn("service_account_state", "text", (c) => c.notNull().defaultTo("not_signed_in"))
      .addColumn("service_account_token_expires_at", "text")
      .addColumn("token_cache_enc", "text")
      .addColumn("app_tenant_id", "text")
      .addColumn("app_client_id", "text")
      .addColumn("app_credential_type", "text")
      .addColumn("client_secret_enc", "text")
      .addColumn("client_secret_expires_at", "text")
      .addColumn("certificate_pem", "text")
      .addColumn("certificate_thumbprint", "text")
      .addColumn("private_key_enc", "text")
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("updated_by", "text")
      .addColumn("updated_at", "text")
      .addColumn("changed_at", "text")
      .addPrimaryKeyConstraint("connection_profiles_pkey", ["id"])
      .execute();
    await sql`
      insert into connection_profiles_026 (id, org_id, name, name_normalized, is_default, created_at, ${columnList("")})
      select c.org_id, c.org_id, 'Default', 'default', 1, coalesce(c.updated_at, o.created_at), ${columnList("c.")}
      from email_configs c join organizations o on o.id = c.org_id`.execute(db);
    await sql`
      insert into connection_profiles_026 (id, org_id, name, name_normalized, is_default, created_at, service_account_state, version)
      select o.id, o.id, 'Default', 'default', 1, o.created_at, 'not_signed_in', 0
      from organizations o where not exists (select 1 from email_configs c where c.org_id = o.id)`.execute(db);
    await db.schema.dropTable("email_configs").execute();
    await db.schema.alterTable("connection_profiles_026").renameTo("email_configs").execute();
    await db.schema
      .createIndex("email_configs_org_name_unique")
      .unique()
      .on("email_configs")
      .columns(["org_id", "name_normalized"])
      .execute();
    // Exactly one default per organization: the partial index refuses a second; the service never leaves none.
    await db.schema
      .createIndex("email_configs_one_default")
      .unique()
      .on("email_configs")
      .column("org_id")
      .where(sql.ref("is_default"), "=", 1)
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema
      .createTable("email_configs_025")
      .addColumn("org_id", "text", (c) => c.primaryKey().references("organizations.id").onDelete("cascade"))
      .addColumn("access_type", "text")
      .addColumn("ews_url", "text")
      .addColumn("account_logon", "text")
      .addColumn("password_enc", "text")
      .addColumn("ews_authentication", "text")
      .addColumn("service_account_username", "text")
      .addColumn("service_account_state", "text", (c) => c.notNull().defaultTo("not_signed_in"))
      .addColumn("service_account_token_expires_at", "text")
      .addColumn("token_cache_enc", "text")
      .addColumn("app_tenant_id", "text")
      .addColumn("app_client_id", "text")
      .addColumn("app_credential_type", "text")
      .addColumn("client_secret_enc", "text")
      .addColumn("client_secret_expires_at", "text")
      .addColumn("certificate_pem", "text")
      .addColumn("certificate_thumbprint", "text")
      .addColumn("private_key_enc", "text")
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("updated_by", "text")
      .addColumn("updated_at", "text")
      .addColumn("changed_at", "text")
      .execute();
    // Only a default profile whose envelopes are bound to the organization's id can go back without re-sealing.
    await sql`
      insert into email_configs_025 (org_id, ${columnList("")})
      select org_id, ${columnList("")} from email_configs where is_default = 1 and id = org_id`.execute(db);
    await db.schema.dropTable("email_configs").execute();
    await db.schema.alterTable("email_configs_025").renameTo("email_configs").execute();
  },
};
