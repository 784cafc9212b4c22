/**
 * Connection profiles, each an email configuration (email_configs holds one row per profile since migration 026);
 * the organization's default profile is what `get`, `summary`, `save`, `credentials` and `saveServiceAccount` read
 * and write, as the single configuration did before. Secrets (password, client secret, private key, the service
 * account's token cache) are sealed with the keyring before they reach a row, bound to their column and profile id,
 * and opened only by the credentials reads, which the check runner calls; nothing else in the server sees them in
 * clear.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { DatabaseTables, Db } from "../db/database.js";
import {
  SECRET_COLUMNS,
  SUMMARY_COLUMNS,
  emptyRow,
  isSet,
  normalizedProfileName,
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
  /** The connection profile this configuration is. */
  profileId: string;
  name: string;
  isDefault: boolean;
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
    profileId: row.id,
    name: row.name,
    isDefault: Number(row.is_default) === 1,
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

/**
 * Binds each envelope to its column and profile (an organization's first default profile has the organization's id,
 * so what was sealed before profiles existed still opens).
 */
function secretContext(column: SecretColumn, profileId: string): string {
  return `email_configs.${column}:${profileId}`;
}

const NO_CREDENTIALS: EmailCredentials = { password: null, clientSecret: null, privateKeyPem: null, tokenCache: null };

/** Which profile a write goes to: the organization's default, or one by id. */
type ProfileRef = { default: true } | { id: string };
const DEFAULT: ProfileRef = { default: true };

export function emailConfigsRepository(db: Db, keyring: Keyring, now: () => Date, readRows: ReadRows | null = null) {
  const seal = (column: SecretColumn, profileId: string, change: SecretChange, current: string | null) =>
    applySecretChange(change, current, (value) => keyring.seal(value, secretContext(column, profileId)));
  const open = (column: SecretColumn, profileId: string, envelope: string | null) =>
    envelope === null ? null : keyring.open(envelope, secretContext(column, profileId));

  const isDefaultRow = sql<boolean>`is_default = 1`;
  const defaultRowQuery = compiledOnce(
    db,
    (orgId: string) => db.selectFrom("email_configs").selectAll().where("org_id", "=", orgId).where(isDefaultRow),
    [""],
    readRows,
  );
  const rowByIdQuery = compiledOnce(
    db,
    (orgId: string, profileId: string) =>
      db.selectFrom("email_configs").selectAll().where("org_id", "=", orgId).where("id", "=", profileId),
    ["", ""],
    readRows,
  );
  const summarySelect = () =>
    db
      .selectFrom("email_configs")
      .select(
        SUMMARY_COLUMNS.map(({ column, isSet: secret }) =>
          secret ? sql<boolean>`${sql.ref(column)} IS NOT NULL`.as(column) : column,
        ) as never,
      );
  // The admin's read of the configuration (the pane opens on it), as a tuple: the public columns, and of each secret
  // column only whether it is set.
  const summaryQuery = compiledTuples<DatabaseTables, [string], unknown[]>(
    db,
    (orgId: string) => summarySelect().where("org_id", "=", orgId).where(isDefaultRow),
    [""],
    readRows,
  );
  const summaryByIdQuery = compiledTuples<DatabaseTables, [string, string], unknown[]>(
    db,
    (orgId: string, profileId: string) => summarySelect().where("org_id", "=", orgId).where("id", "=", profileId),
    ["", ""],
    readRows,
  );

  async function rowOf(orgId: string, ref: ProfileRef): Promise<EmailConfigsTable | undefined> {
    return "id" in ref ? (await rowByIdQuery(orgId, ref.id))[0] : (await defaultRowQuery(orgId))[0];
  }

  /** Inserts the organization's first default profile (id = the organization's) unless one is there already. */
  async function insertFirstDefault(orgId: string, values: Partial<EmailConfigsTable>): Promise<boolean> {
    const inserted = await db
      .insertInto("email_configs")
      .values({ ...emptyRow(orgId), created_at: now().toISOString(), ...values })
      .onConflict((oc) => oc.column("id").doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async function saveTo(
    orgId: string,
    ref: ProfileRef,
    changes: EmailConfigChanges,
    expectedVersion: number,
    actor: string,
  ): Promise<EmailConfigRecord | null> {
    const current = await rowOf(orgId, ref);
    if (current === undefined && "id" in ref) return null;
    if ((current?.version ?? 0) !== expectedVersion) return null;
    const profileId = current?.id ?? orgId;
    const values = {
      access_type: changes.accessType,
      ews_url: changes.ewsUrl,
      account_logon: changes.accountLogon,
      password_enc: seal("password_enc", profileId, changes.password, current?.password_enc ?? null),
      ews_authentication: changes.authentication,
      app_tenant_id: changes.appTenantId,
      app_client_id: changes.appClientId,
      app_credential_type: changes.appCredentialType,
      client_secret_enc: seal("client_secret_enc", profileId, changes.clientSecret, current?.client_secret_enc ?? null),
      client_secret_expires_at: changes.clientSecretExpiresAt ?? null,
      certificate_pem: changes.certificatePem,
      certificate_thumbprint: changes.certificateThumbprint,
      private_key_enc: seal("private_key_enc", profileId, changes.privateKey, current?.private_key_enc ?? null),
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
        .where("id", "=", current.id)
        .where("version", "=", expectedVersion)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return null;
    } else if (!(await insertFirstDefault(orgId, { ...values, changed_at: changedAt }))) {
      return null;
    }
    const saved = await rowOf(orgId, { id: profileId });
    return saved ? toRecord(saved) : null;
  }

  function credentialsOf(found: EmailConfigsTable | undefined): EmailCredentials {
    if (!found) return NO_CREDENTIALS;
    return {
      password: open("password_enc", found.id, found.password_enc),
      clientSecret: open("client_secret_enc", found.id, found.client_secret_enc),
      privateKeyPem: open("private_key_enc", found.id, found.private_key_enc),
      tokenCache: open("token_cache_enc", found.id, found.token_cache_enc),
    };
  }

  async function saveServiceAccountOf(
    orgId: string,
    ref: ProfileRef,
    signIn: ServiceAccountSignIn,
  ): Promise<EmailConfigRecord | null> {
    const existing = await rowOf(orgId, ref);
    if (existing === undefined && "id" in ref) return null;
    const profileId = existing?.id ?? orgId;
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
                : keyring.seal(signIn.tokenCache, secretContext("token_cache_enc", profileId)),
          }),
    };
    if (existing) await db.updateTable("email_configs").set(set).where("id", "=", existing.id).execute();
    else await insertFirstDefault(orgId, set);
    const saved = await rowOf(orgId, { id: profileId });
    return saved ? toRecord(saved) : null;
  }

  return {
    /** The organization's default profile (empty until something is saved). */
    async get(orgId: string): Promise<EmailConfigRecord> {
      const found = await rowOf(orgId, DEFAULT);
      return found ? toRecord(found) : emptyEmailConfig(orgId);
    },

    /** The default profile without secrets, certificate body or token cache: what the admin's form shows. */
    async summary(orgId: string): Promise<EmailConfigSummary> {
      const [found] = await summaryQuery(orgId);
      return summaryOf(toRecord(found ? rowFromTuple(orgId, found, 0) : emptyRow(orgId)));
    },

    /**
     * Writes the default profile's next configuration if its stored version is still `expectedVersion`; returns
     * null when another admin saved first (the caller answers 412).
     */
    save(orgId: string, changes: EmailConfigChanges, expectedVersion: number, actor: string) {
      return saveTo(orgId, DEFAULT, changes, expectedVersion, actor);
    },

    /** Decrypted secrets of the default profile for the check runner; never serialize them into a response or log. */
    async credentials(orgId: string): Promise<EmailCredentials> {
      return credentialsOf(await rowOf(orgId, DEFAULT));
    },

    /**
     * Records the default profile's EWS OAuth service account sign-in or token refresh. It does not bump the
     * version: a token refresh must not make an admin's open form stale.
     */
    async saveServiceAccount(orgId: string, signIn: ServiceAccountSignIn): Promise<EmailConfigRecord> {
      return (await saveServiceAccountOf(orgId, DEFAULT, signIn))!;
    },

    /** One profile of the organization, or null (also when it belongs to another organization). */
    async profile(orgId: string, profileId: string): Promise<EmailConfigRecord | null> {
      const found = await rowOf(orgId, { id: profileId });
      return found ? toRecord(found) : null;
    },

    async profileSummary(orgId: string, profileId: string): Promise<EmailConfigSummary | null> {
      const [found] = await summaryByIdQuery(orgId, profileId);
      return found ? summaryOf(toRecord(rowFromTuple(orgId, found, 0))) : null;
    },

    /** One profile's decrypted secrets (the per-profile check); never serialize them into a response or log. */
    async profileCredentials(orgId: string, profileId: string): Promise<EmailCredentials> {
      return credentialsOf(await rowOf(orgId, { id: profileId }));
    },

    saveProfile(orgId: string, profileId: string, changes: EmailConfigChanges, expectedVersion: number, actor: string) {
      return saveTo(orgId, { id: profileId }, changes, expectedVersion, actor);
    },

    saveProfileServiceAccount(orgId: string, profileId: string, signIn: ServiceAccountSignIn) {
      return saveServiceAccountOf(orgId, { id: profileId }, signIn);
    },

    /** Every profile of the organization without secrets, the default first, then by name. */
    async list(orgId: string): Promise<EmailConfigSummary[]> {
      const rows = (await summarySelect()
        .where("org_id", "=", orgId)
        .orderBy("is_default", "desc")
        .orderBy("name_normalized")
        .execute()) as unknown as Array<Record<string, unknown>>;
      return rows.map((found) =>
        summaryOf(
          toRecord(
            rowFromTuple(
              orgId,
              SUMMARY_COLUMNS.map(({ column }) => found[column]),
              0,
            ),
          ),
        ),
      );
    },

    /** The organization's default profile, created empty (with the organization's id) when it has none yet. */
    async ensureDefault(orgId: string): Promise<EmailConfigRecord> {
      const found = await rowOf(orgId, DEFAULT);
      if (found) return toRecord(found);
      await insertFirstDefault(orgId, {});
      return toRecord((await rowOf(orgId, DEFAULT))!);
    },

    /** The profile holding `name` (case and surrounding spaces aside), if any. */
    async byName(orgId: string, name: string): Promise<EmailConfigRecord | null> {
      const found = await db
        .selectFrom("email_configs")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("name_normalized", "=", normalizedProfileName(name))
        .executeTakeFirst();
      return found ? toRecord(found) : null;
    },

    /** A new, non-default profile: empty at version 0, or with `changes` saved at version 1. */
    async create(
      orgId: string,
      name: string,
      changes: EmailConfigChanges | null,
      actor: string,
    ): Promise<EmailConfigRecord> {
      const id = randomUUID();
      const at = now().toISOString();
      await db
        .insertInto("email_configs")
        .values({
          ...emptyRow(orgId, { id, name: name.trim(), isDefault: false, createdAt: at }),
          updated_by: actor,
          updated_at: at,
        })
        .execute();
      if (changes === null) return toRecord((await rowOf(orgId, { id }))!);
      return (await saveTo(orgId, { id }, changes, 0, actor))!;
    },

    /** Renames a profile at `expectedVersion` (its version moves on); null when another admin changed it first. */
    async rename(
      orgId: string,
      profileId: string,
      name: string,
      expectedVersion: number,
      actor: string,
    ): Promise<EmailConfigRecord | null> {
      const result = await db
        .updateTable("email_configs")
        .set({
          name: name.trim(),
          name_normalized: normalizedProfileName(name),
          version: expectedVersion + 1,
          updated_by: actor,
          updated_at: now().toISOString(),
        })
        .where("org_id", "=", orgId)
        .where("id", "=", profileId)
        .where("version", "=", expectedVersion)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return null;
      return toRecord((await rowOf(orgId, { id: profileId }))!);
    },

    /** Makes `profileId` the default (the old default stops being one first: one default at any time). */
    async setDefault(orgId: string, profileId: string): Promise<void> {
      await db
        .updateTable("email_configs")
        .set({ is_default: 0 })
        .where("org_id", "=", orgId)
        .where(isDefaultRow)
        .where("id", "!=", profileId)
        .execute();
      await db
        .updateTable("email_configs")
        .set({ is_default: 1 })
        .where("org_id", "=", orgId)
        .where("id", "=", profileId)
        .execute();
    },

    async remove(orgId: string, profileId: string): Promise<boolean> {
      const result = await db
        .deleteFrom("email_configs")
        .where("org_id", "=", orgId)
        .where("id", "=", profileId)
        .where((eb) => eb("is_default", "=", 0))
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
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
          const context = secretContext(column, current.id);
          set[column] = keyring.seal(keyring.open(envelope, context), context);
          moved += 1;
        }
        if (Object.keys(set).length > 0) {
          await db.updateTable("email_configs").set(set).where("id", "=", current.id).execute();
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
          keyring.open(envelope, secretContext(column, current.id));
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
