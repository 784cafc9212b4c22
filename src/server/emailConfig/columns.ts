/**
 * The email_configs table's columns, written out once: the empty row drives the empty record, every read (the full
 * row and the admin's member view, which selects the public columns and whether each secret is set) and the insert
 * of a first row.
 */
import type { EmailConfigsTable } from "./tables.js";

export const SECRET_COLUMNS = ["password_enc", "client_secret_enc", "private_key_enc", "token_cache_enc"] as const;
export type SecretColumn = (typeof SECRET_COLUMNS)[number];

/** The name an organization's first profile gets (migration 026 and the first save). */
export const DEFAULT_PROFILE_NAME = "Default";

export interface ProfileIdentity {
  id: string;
  name: string;
  isDefault: boolean;
  createdAt: string;
}

/**
 * A profile's row before anything was saved: every column, with its empty value. Without `profile`, the
 * organization's first default profile, whose id is the organization's.
 */
export function emptyRow(orgId: string, profile?: ProfileIdentity): EmailConfigsTable {
  const identity = profile ?? { id: orgId, name: DEFAULT_PROFILE_NAME, isDefault: true, createdAt: "" };
  return {
    id: identity.id,
    org_id: orgId,
    name: identity.name,
    name_normalized: normalizedProfileName(identity.name),
    is_default: identity.isDefault ? 1 : 0,
    created_at: identity.createdAt,
    access_type: null,
    ews_url: null,
    account_logon: null,
    password_enc: null,
    ews_authentication: null,
    service_account_username: null,
    service_account_state: "not_signed_in",
    service_account_token_expires_at: null,
    token_cache_enc: null,
    app_tenant_id: null,
    app_client_id: null,
    app_credential_type: null,
    client_secret_enc: null,
    client_secret_expires_at: null,
    certificate_pem: null,
    certificate_thumbprint: null,
    private_key_enc: null,
    version: 0,
    updated_by: null,
    updated_at: null,
    changed_at: null,
  };
}

/** What makes two profile names the same one: case and surrounding spaces do not count. */
export const normalizedProfileName = (name: string): string => name.trim().toLowerCase();

type Column = keyof EmailConfigsTable;
const isSecret = (column: Column): column is SecretColumn => (SECRET_COLUMNS as readonly string[]).includes(column);

/**
 * What the admin's read selects, in order: every column but the organization (known), the certificate (only its
 * thumbprint is shown) and the token cache; a secret column only as whether it is set.
 */
export const SUMMARY_COLUMNS: ReadonlyArray<{ column: Column; isSet: boolean }> = (
  Object.keys(emptyRow("")) as Column[]
)
  .filter((column) => column !== "org_id" && column !== "certificate_pem" && column !== "token_cache_enc")
  .map((column) => ({ column, isSet: isSecret(column) }));

/** A row as read: secrets may come as envelopes (full row) or as SQLite's 0/1 or PostgreSQL's boolean (summary). */
export type ReadRow = {
  [C in Column]: C extends SecretColumn ? string | number | boolean | null : EmailConfigsTable[C];
};

export const isSet = (value: string | number | boolean | null): boolean =>
  value === true || value === 1 || typeof value === "string";

/** The summary columns of one member-view tuple, from `offset` on, as a row (absent columns keep their empty value). */
export function rowFromTuple(orgId: string, tuple: readonly unknown[], offset: number): ReadRow {
  const row: Record<string, unknown> = { ...emptyRow(orgId) };
  SUMMARY_COLUMNS.forEach(({ column }, index) => {
    row[column] = tuple[offset + index];
  });
  return row as ReadRow;
}
