/**
 * Kysely table types of the companion backend. Timestamps are ISO-8601 text and ids are UUID text, so the same
 * queries run unchanged on SQLite and PostgreSQL. Other modules (the check runner) type their own tables and reach
 * them with `db.withTables<TheirTables>()`.
 */
import type { Kysely } from "kysely";

export interface OrganizationsTable {
  id: string;
  name: string;
  tenant_id: string | null;
  created_at: string;
  created_by: string;
}

export interface OrgUsersTable {
  id: string;
  org_id: string;
  email: string;
  /** Lower-cased email: uniqueness per organization is case-insensitive. */
  email_normalized: string;
  display_name: string;
  role: "admin" | "user";
  added_by: string;
  added_at: string;
}

export interface EmailConfigsTable {
  org_id: string;
  access_type: string | null;
  ews_url: string | null;
  account_logon: string | null;
  /** Every *_enc column holds an AES-256-GCM envelope ("v1.keyId.iv.tag.ciphertext"), never plaintext. */
  password_enc: string | null;
  service_account_username: string | null;
  service_account_state: "signed_in" | "needs_sign_in" | "not_signed_in";
  service_account_token_expires_at: string | null;
  token_cache_enc: string | null;
  app_tenant_id: string | null;
  app_client_id: string | null;
  app_credential_type: "secret" | "certificate" | null;
  client_secret_enc: string | null;
  certificate_pem: string | null;
  certificate_thumbprint: string | null;
  private_key_enc: string | null;
  version: number;
  updated_by: string | null;
  updated_at: string | null;
}

export interface AuditEventsTable {
  id: string;
  org_id: string | null;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  /** JSON text, secrets already redacted. */
  before_json: string | null;
  after_json: string | null;
}

export interface UserMailboxStatusTable {
  org_id: string;
  user_id: string;
  run_id: string | null;
  category: string;
  severity: "ok" | "warning" | "error" | "transient";
  detail: string | null;
  checked_at: string;
}

export interface DatabaseTables {
  organizations: OrganizationsTable;
  org_users: OrgUsersTable;
  email_configs: EmailConfigsTable;
  audit_events: AuditEventsTable;
  user_mailbox_status: UserMailboxStatusTable;
}

export type Db = Kysely<DatabaseTables>;
