/**
 * Kysely type of one connection profile (migration 001, one row per organization until 026: now one per profile,
 * each organization's first default keeping the organization's id); secrets only as keyring envelopes.
 */
import type {} from "../db/database.js";

export interface EmailConfigsTable {
  /** The profile's id; an organization's first default profile has the organization's id (migration 026). */
  id: string;
  org_id: string;
  name: string;
  /** Lower-cased, trimmed name: unique per organization. */
  name_normalized: string;
  /** 1 for the organization's default profile (exactly one), 0 otherwise. */
  is_default: number;
  created_at: string;
  access_type: string | null;
  ews_url: string | null;
  account_logon: string | null;
  /** Every *_enc column holds an AES-256-GCM envelope ("v1.keyId.iv.tag.ciphertext"), never plaintext. */
  password_enc: string | null;
  /** automatic | ntlm | basic (migration 011); null reads as automatic. */
  ews_authentication: string | null;
  service_account_username: string | null;
  service_account_state: "signed_in" | "needs_sign_in" | "not_signed_in";
  service_account_token_expires_at: string | null;
  token_cache_enc: string | null;
  app_tenant_id: string | null;
  app_client_id: string | null;
  app_credential_type: "secret" | "certificate" | null;
  client_secret_enc: string | null;
  /** YYYY-MM-DD as the admin entered it with the secret (migration 014). */
  client_secret_expires_at: string | null;
  certificate_pem: string | null;
  certificate_thumbprint: string | null;
  private_key_enc: string | null;
  version: number;
  updated_by: string | null;
  updated_at: string | null;
  /** The last save that changed a value (migration 015); null before the first save. */
  changed_at: string | null;
}

declare module "../db/database.js" {
  interface DatabaseTables {
    email_configs: EmailConfigsTable;
  }
}
