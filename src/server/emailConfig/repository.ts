/**
 * One email configuration per organization. Secrets (password, client secret, private key, the service account's
 * token cache) are sealed with the keyring before they reach a row and opened only by `credentials()`, which the
 * check runner calls; nothing else in the server sees them in clear.
 */
import { sql } from "kysely";
import type { DatabaseTables, Db } from "../db/database.js";
import {
  SECRET_COLUMNS,
  SUMMARY_COLUMNS,
  emptyRow,
  isSet,
  rowFromTuple,
  type ReadRow,
  type SecretColumn,
} from "./columns.js";
import type { EmailConfigsTable } from "./tables.js";
import { compiledOnce, compiledTuples, type ReadRows } from "../db/compiled.js";
import type { Keyring } from "../secrets/keyring.js";
import type { Resealer } from "../secrets/resealers.js";
import { isEwsAuthentication, type AccessTypeId, type EwsAuthentication } from "../../contract/accessTypes.js";

import { applySecretChange, type SecretChange } from "./rules.js";

export type { SecretChange } from "./rules.js";

export interface EmailConfigRecord {
  orgId: string;
  accessType: AccessTypeId | null;
  ewsUrl: string | null;
  accountLogon: string | null;
  hasPassword: boolean;
  /** How the Exchange Impersonation service account signs in (automatic when never chosen). */
  authentication: EwsAuthentication;
  serviceAccount: {
    username: string | null;
    state: "signed_in" | "needs_sign_in" | "not_signed_in";
    tokenExpiresAt: string | null;
  };
  appOnly: {
    tenantId: string | null;
    clientId: string | null;
    credentialType: "secret" | "certificate" | null;
    hasClientSecret: boolean;
    certificatePem: string | null;
    certificateThumbprint: string | null;
    hasPrivateKey: boolean;
    clientSecretExpiresAt: string | null;
  };
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
  /** The last save that changed a value (changes to RBAC and app registrations take time to apply). */
  changedAt: string | null;
}

/** The configuration as its readers see it: no secret material, no certificate body, only whether secrets exist. */
export type EmailConfigSummary = Omit<EmailConfigRecord, "appOnly"> & {
  appOnly: Omit<EmailConfigRecord["appOnly"], "certificatePem">;
};

export interface EmailConfigChanges {
  accessType: AccessTypeId;
  ewsUrl: string | null;
  accountLogon: string | null;
  password: SecretChange;
  /** Null for the access types without a service account password. */
  authentication: EwsAuthentication | null;
  appTenantId: string | null;
  appClientId: string | null;
  appCredentialType: "secret" | "certificate" | null;
  clientSecret: SecretChange;
  /** YYYY-MM-DD; absent or null: none. */
  clientSecretExpiresAt?: string | null;
  certificatePem: string | null;
  certificateThumbprint: string | null;
  privateKey: SecretChange;
}

export interface EmailCredentials {
  password: string | null;
  clientSecret: string | null;
  privateKeyPem: string | null;
  /** Opaque token cache of the EWS OAuth service account (MSAL serialization or refresh token JSON). */
  tokenCache: string | null;
}

export interface ServiceAccountSignIn {
  username: string | null;
  state: "signed_in" | "needs_sign_in" | "not_signed_in";
  tokenExpiresAt: string | null;
  /** A new token cache to store; null clears it; undefined keeps it. */
  tokenCache?: string | null;
}

export function emptyEmailConfig(orgId: string): EmailConfigRecord {
  return toRecord(emptyRow(orgId));
}

function toRecord(row: ReadRow): EmailConfigRecord {
  return {
    orgId: row.org_id,
    accessType: row.access_type as AccessTypeId | null,
    ewsUrl: row.ews_url,
    accountLogon: row.account_logon,
    hasPassword: isSet(row.password_enc),
    authentication: isEwsAuthentication(row.ews_authentication) ? row.ews_authentication : "automatic",
    serviceAccount: {
      username: row.service_account_username,
      state: row.service_account_state,
      tokenExpiresAt: row.service_account_token_expires_at,
    },
    appOnly: {
      tenantId: row.app_tenant_id,
      clientId: row.app_client_id,
      credentialType: row.app_credential_type,
      hasClientSecret: isSet(row.client_secret_enc),
      certificatePem: row.certificate_pem,
      certificateThumbprint: row.certificate_thumbprint,
      hasPrivateKey: isSet(row.private_key_enc),
      clientSecretExpiresAt: row.client_secret_expires_at,
    },
    version: row.version,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
    changedAt: row.changed_at,
  };
}

/** Columns every save writes: they alone do not make a save a change. */
const BOOKKEEPING: ReadonlySet<string> = new Set(["version", "updated_by", "updated_at"]);

function summaryOf(record: EmailConfigRecord): EmailConfigSummary {
  const { certificatePem: _certificate, ...appOnly } = record.appOnly;
  return { ...record, appOnly };
}

/** Binds each envelope to its column and organization. */
function secretContext(column: SecretColumn, orgId: string): string {
  return `email_configs.${column}:${orgId}`;
}

export function emailConfigsRepository(db: Db, keyring: Keyring, now: () => Date, readRows: ReadRows | null = null) {
  const seal = (column: SecretColumn, orgId: string, change: SecretChange, current: string | null) =>
    applySecretChange(change, current, (value) => keyring.seal(value, secretContext(column, orgId)));
  const open = (column: SecretColumn, orgId: string, envelope: string | null) =>
    envelope === null ? null : keyring.open(envelope, secretContext(column, orgId));

  const rowQuery = compiledOnce(
    db,
    (orgId: string) => db.selectFrom("email_configs").selectAll().where("org_id", "=", orgId),
    [""],
    readRows,
  );
  // The admin's read of the configuration (the pane opens on it), as a tuple: the public columns, and of each secret
  // column only whether it is set.
  const summaryQuery = compiledTuples<DatabaseTables, [string], unknown[]>(
    db,
    (orgId: string) =>
      db
        .selectFrom("email_configs")
        .select(
          SUMMARY_COLUMNS.map(({ column, isSet: secret }) =>
            secret ? sql<boolean>`${sql.ref(column)} IS NOT NULL`.as(column) : column,
          ) as never,
        )
        .where("org_id", "=", orgId),
    [""],
    readRows,
  );

  async function row(orgId: string): Promise<EmailConfigsTable | undefined> {
    return (await rowQuery(orgId))[0];
  }

  return {
    async get(orgId: string): Promise<EmailConfigRecord> {
      const found = await row(orgId);
      return found ? toRecord(found) : emptyEmailConfig(orgId);
    },

    /** The configuration without secrets, certificate body or token cache: what the admin's form shows. */
    async summary(orgId: string): Promise<EmailConfigSummary> {
      const [found] = await summaryQuery(orgId);
      return summaryOf(toRecord(found ? rowFromTuple(orgId, found, 0) : emptyRow(orgId)));
    },

    /**
     * Writes the next configuration if the stored version is still `expectedVersion`; returns null when another
     * admin saved first (the caller answers 412).
     */
    async save(
      orgId: string,
      changes: EmailConfigChanges,
      expectedVersion: number,
      actor: string,
    ): Promise<EmailConfigRecord | null> {
      const current = await row(orgId);
      if ((current?.version ?? 0) !== expectedVersion) return null;
      const values = {
        access_type: changes.accessType,
        ews_url: changes.ewsUrl,
        account_logon: changes.accountLogon,
        password_enc: seal("password_enc", orgId, changes.password, current?.password_enc ?? null),
        ews_authentication: changes.authentication,
        app_tenant_id: changes.appTenantId,
        app_client_id: changes.appClientId,
        app_credential_type: changes.appCredentialType,
        client_secret_enc: seal("client_secret_enc", orgId, changes.clientSecret, current?.client_secret_enc ?? null),
        client_secret_expires_at: changes.clientSecretExpiresAt ?? null,
        certificate_pem: changes.certificatePem,
        certificate_thumbprint: changes.certificateThumbprint,
        private_key_enc: seal("private_key_enc", orgId, changes.privateKey, current?.private_key_enc ?? null),
        version: expectedVersion + 1,
        updated_by: actor,
        updated_at: now().toISOString(),
      };
      const changed =
        current === undefined ||
        (Object.keys(values) as Array<keyof typeof values>).some(
          (column) => !BOOKKEEPING.has(column) && values[column] !== current[column],
        );
      const changedAt = changed ? values.updated_at : (current?.changed_at ?? null);
      if (current) {
        const result = await db
          .updateTable("email_configs")
          .set({ ...values, changed_at: changedAt })
          .where("org_id", "=", orgId)
          .where("version", "=", expectedVersion)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return null;
      } else {
        const inserted = await db
          .insertInto("email_configs")
          .values({ ...emptyRow(orgId), ...values, changed_at: changedAt })
          .onConflict((oc) => oc.column("org_id").doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return null;
      }
      const saved = await row(orgId);
      return saved ? toRecord(saved) : null;
    },

    /** Decrypted secrets for the check runner; never serialize the result into a response or a log. */
    async credentials(orgId: string): Promise<EmailCredentials> {
      const found = await row(orgId);
      if (!found) return { password: null, clientSecret: null, privateKeyPem: null, tokenCache: null };
      return {
        password: open("password_enc", orgId, found.password_enc),
        clientSecret: open("client_secret_enc", orgId, found.client_secret_enc),
        privateKeyPem: open("private_key_enc", orgId, found.private_key_enc),
        tokenCache: open("token_cache_enc", orgId, found.token_cache_enc),
      };
    },

    /**
     * Records the EWS OAuth service account's sign-in or token refresh. It does not bump the version: a token
     * refresh must not make an admin's open form stale.
     */
    async saveServiceAccount(orgId: string, signIn: ServiceAccountSignIn): Promise<EmailConfigRecord> {
      const set = {
        service_account_username: signIn.username,
        service_account_state: signIn.state,
        service_account_token_expires_at: signIn.tokenExpiresAt,
        ...(signIn.tokenCache === undefined
          ? {}
          : {
              token_cache_enc:
                signIn.tokenCache === null
                  ? null
                  : keyring.seal(signIn.tokenCache, secretContext("token_cache_enc", orgId)),
            }),
      };
      const existing = await row(orgId);
      if (existing) {
        await db.updateTable("email_configs").set(set).where("org_id", "=", orgId).execute();
      } else {
        await db
          .insertInto("email_configs")
          .values({ ...emptyRow(orgId), ...set })
          .execute();
      }
      return toRecord((await row(orgId))!);
    },

    /** Re-seals every envelope not sealed by the active key; returns how many secrets moved. */
    async reseal(): Promise<number> {
      const rows = await db.selectFrom("email_configs").selectAll().execute();
      let moved = 0;
      for (const current of rows) {
        const set: Partial<Record<SecretColumn, string>> = {};
        for (const column of SECRET_COLUMNS) {
          const envelope = current[column];
          if (envelope === null || keyring.keyIdOf(envelope) === keyring.activeKeyId) continue;
          const context = secretContext(column, current.org_id);
          set[column] = keyring.seal(keyring.open(envelope, context), context);
          moved += 1;
        }
        if (Object.keys(set).length > 0) {
          await db.updateTable("email_configs").set(set).where("org_id", "=", current.org_id).execute();
        }
      }
      return moved;
    },

    /** Opens every stored secret without writing (npm run doctor); returns how many opened. */
    async verify(): Promise<number> {
      const rows = await db.selectFrom("email_configs").selectAll().execute();
      let opened = 0;
      for (const current of rows) {
        for (const column of SECRET_COLUMNS) {
          const envelope = current[column];
          if (envelope === null) continue;
          keyring.open(envelope, secretContext(column, current.org_id));
          opened += 1;
        }
      }
      return opened;
    },
  };
}

export type EmailConfigsRepository = ReturnType<typeof emailConfigsRepository>;

/** The configurations' secrets under rotation (`npm run secrets:rotate`). */
export const emailConfigsResealer: Resealer = {
  name: "email_configs",
  reseal: (db, keyring) => emailConfigsRepository(db, keyring, () => new Date()).reseal(),
  verify: (db, keyring) => emailConfigsRepository(db, keyring, () => new Date()).verify(),
};
