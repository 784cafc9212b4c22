/**
 * The repositories on SQLite and on PostgreSQL (the same tests, one schema per run): migrations from an empty
 * database, case-insensitive membership, batched inserts and paging, optimistic concurrency, cascades, secrets that
 * never reach a row in plaintext, and key rotation.
 */
import { readdir, readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDraft, sealDraft } from "../../../src/server/emailConfig/draftSeal.js";
import { checkRunsRepository } from "../../../src/server/checks/repository.js";
import { attestationKeys } from "../../../src/server/attestation/signingKeys.js";
import { openDatabase, type Database } from "../../../src/server/db/database.js";
import type { ResolvedEmailConfig } from "../../../src/server/exchange/config.js";
import { migrateToLatest, migrations } from "../../../src/server/domains.js";
import type { EmailConfigChanges } from "../../../src/server/emailConfig/repository.js";
import { createRepositories, type Repositories } from "../../../src/server/repositories.js";
import { Keyring, SecretsError, generateKeyEntry, parseKey } from "../../../src/server/secrets/keyring.js";
import { resealAll } from "../../../src/server/domains.js";
import { openTestPostgres, postgresEnabled } from "../../support/postgres.js";
import { webhookSecretContext } from "../../../src/server/monitoring/service.js";

const SECRETS = {
  password: "Plaintext-Password-7781",
  clientSecret: "Plaintext-ClientSecret-5523",
  tokenCache: '{"refresh_token":"Plaintext-RefreshToken-9911"}',
};

const basicConfig = (password: string): EmailConfigChanges => ({
  accessType: "ews_basic_impersonation",
  ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
  accountLogon: "svc@contoso.com",
  authentication: "automatic",
  password: { kind: "set", value: password },
  appTenantId: null,
  appClientId: null,
  appCredentialType: null,
  clientSecret: { kind: "clear" },
  certificatePem: null,
  certificateThumbprint: null,
  privateKey: { kind: "clear" },
});

interface Harness {
  database: Database;
  dir: string | null;
  close(): Promise<void>;
}

const dialects: Array<["sqlite" | "postgres", () => Promise<Harness>]> = [
  [
    "sqlite",
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "repos-"));
      const database = await openDatabase(path.join(dir, "nested", "folder", "app.db"));
      return {
        database,
        dir,
        close: async () => {
          await database.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];
if (await postgresEnabled()) {
  dialects.push([
    "postgres",
    async () => {
      const pg = await openTestPostgres("repos");
      return { database: pg.database, dir: null, close: () => pg.drop() };
    },
  ]);
}

describe.each(dialects)("repositories on %s", (dialect, open) => {
  let harness: Harness;
  let repos: Repositories;
  const k1 = parseKey(generateKeyEntry("k1"));
  const k2 = parseKey(generateKeyEntry("k2"));

  beforeAll(async () => {
    harness = await open();
    repos = createRepositories(harness.database.db, { keyring: new Keyring([k1]) });
  });
  afterAll(async () => {
    await harness.close();
  });

  it("migrates an empty database to the latest version, and a second run changes nothing", async () => {
    expect(harness.database.dialect).toBe(dialect);
    const first = await migrateToLatest(harness.database.db);
    expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual(
      Object.keys(migrations).map((name) => [name, "Success"]),
    );
    const second = await migrateToLatest(harness.database.db);
    expect(second.results).toEqual([]);
    expect(await harness.database.ping()).toBe(true);
  });

  it("finds memberships by email whatever its case, and enforces one row per email per org in the database", async () => {
    const org = await repos.organizations.create({ name: "Contoso", tenantId: null, createdBy: "test" });
    await repos.users.add(org.id, { email: "Ada@Contoso.com", displayName: "Ada", role: "admin" }, "test");
    expect(await repos.organizations.membershipsOf("ada@contoso.COM")).toMatchObject([
      { org: { id: org.id }, role: "admin" },
    ]);
    await expect(
      repos.users.add(org.id, { email: "ADA@contoso.com", displayName: "Ada 2", role: "user" }, "test"),
    ).rejects.toThrow();
  });

  it("inserts thousands of users in batches inside one transaction and pages them in email order", async () => {
    const org = await repos.organizations.create({ name: "Big", tenantId: null, createdBy: "test" });
    const users = Array.from({ length: 2500 }, (_, i) => ({
      email: `user${String(i).padStart(5, "0")}@big.example`,
      displayName: `User ${i}`,
      role: "user" as const,
    }));
    await repos.transaction((tx) => tx.users.addMany(org.id, users, "test"));
    expect(await repos.organizations.userCount(org.id)).toBe(2500);
    const first = await repos.users.list(org.id, { limit: 1000 });
    const second = await repos.users.list(org.id, { limit: 1000, cursor: first.nextCursor! });
    expect(first.items[0]!.email).toBe("user00000@big.example");
    expect(second.items[0]!.email).toBe("user01000@big.example");
    expect((await repos.users.list(org.id, { limit: 50, search: "User 2499" })).items).toHaveLength(1);
  });

  it("rolls a failed transaction back completely", async () => {
    const org = await repos.organizations.create({ name: "Atomic", tenantId: null, createdBy: "test" });
    await expect(
      repos.transaction(async (tx) => {
        await tx.users.addMany(org.id, [{ email: "a@atomic.example", displayName: "A", role: "user" }], "test");
        await tx.users.addMany(org.id, [{ email: "A@atomic.example", displayName: "A", role: "user" }], "test");
      }),
    ).rejects.toThrow();
    expect(await repos.organizations.userCount(org.id)).toBe(0);
  });

  it("answers hot-path membership reads from committed data only, and sees a commit at once", async () => {
    const hot = createRepositories(harness.database.db, {
      keyring: new Keyring([k1]),
      readRows: harness.database.readRows,
    });
    const org = await hot.organizations.create({ name: "Snapshot", tenantId: null, createdBy: "test" });
    let seenInside: unknown = "not read";
    await hot.transaction(async (tx) => {
      await tx.users.add(org.id, { email: "new@snapshot.example", displayName: "N", role: "admin" }, "test");
      expect(await tx.organizations.membershipIn(org.id, "new@snapshot.example")).not.toBeNull();
      // SQLite serializes the write connection, so the committed-only read must not queue behind this transaction.
      if (harness.database.readRows) seenInside = await hot.organizations.membershipIn(org.id, "new@snapshot.example");
    });
    if (harness.database.readRows) expect(seenInside).toBeNull();
    expect(await hot.organizations.membershipIn(org.id, "NEW@snapshot.example")).toMatchObject({ role: "admin" });
  });

  it("reads the configuration summary in one query, the same as the full read without secrets", async () => {
    const hot = createRepositories(harness.database.db, {
      keyring: new Keyring([k1]),
      readRows: harness.database.readRows,
    });
    const org = await repos.organizations.create({ name: "Joined", tenantId: "T-1", createdBy: "test" });
    const summaryOf = async (orgId: string) => {
      const { appOnly, ...rest } = await repos.emailConfigs.get(orgId);
      const { certificatePem: _certificate, ...publicAppOnly } = appOnly;
      return { ...rest, appOnly: publicAppOnly };
    };

    for (const reader of [repos, hot]) {
      // No configuration saved yet: the empty one, version 0.
      expect(await reader.emailConfigs.summary(org.id)).toEqual(await summaryOf(org.id));
      expect(await reader.emailConfigs.summary(randomUUID())).toMatchObject({ version: 0, accessType: null });
    }

    await repos.emailConfigs.save(
      org.id,
      {
        ...basicConfig(SECRETS.password),
        accessType: "graph_app_only",
        appTenantId: "T-1",
        appClientId: "client-1",
        appCredentialType: "secret",
        clientSecret: { kind: "set", value: SECRETS.clientSecret },
        certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        certificateThumbprint: "AB12",
      },
      0,
      "admin@joined.example",
    );
    for (const reader of [repos, hot]) {
      const found = await reader.emailConfigs.summary(org.id);
      expect(found).toEqual(await summaryOf(org.id));
      expect(found).toMatchObject({
        version: 1,
        hasPassword: true,
        appOnly: { hasClientSecret: true, hasPrivateKey: false, certificateThumbprint: "AB12" },
      });
      // Neither secrets nor their envelopes nor the certificate body are read for it.
      const text = JSON.stringify(found);
      expect(text).not.toContain(SECRETS.password);
      expect(text).not.toContain(SECRETS.clientSecret);
      expect(text).not.toMatch(/v1\.[A-Za-z0-9_-]+\./);
      expect(text).not.toContain("BEGIN CERTIFICATE");
    }
  });

  it("lets only one of two saves from the same version win", async () => {
    const org = await repos.organizations.create({ name: "Race", tenantId: null, createdBy: "test" });
    expect(await repos.emailConfigs.save(org.id, basicConfig("first"), 0, "a")).toMatchObject({ version: 1 });
    expect(await repos.emailConfigs.save(org.id, basicConfig("second"), 0, "b")).toBeNull();
    expect(await repos.emailConfigs.save(org.id, basicConfig("third"), 1, "b")).toMatchObject({ version: 2 });
    expect((await repos.emailConfigs.credentials(org.id)).password).toBe("third");
  });

  it("removes a user's mailbox status with the user", async () => {
    const org = await repos.organizations.create({ name: "Cascade", tenantId: null, createdBy: "test" });
    const user = await repos.users.add(org.id, { email: "u@c.example", displayName: "U", role: "user" }, "test");
    await repos.mailboxStatus.record({
      orgId: org.id,
      userId: user.id,
      runId: "r1",
      category: "ok",
      severity: "ok",
      detail: null,
      checkedAt: new Date().toISOString(),
    });
    await repos.mailboxStatus.record({
      orgId: org.id,
      userId: user.id,
      runId: "r2",
      category: "access_denied",
      severity: "error",
      detail: "403",
      checkedAt: new Date().toISOString(),
    });
    expect(await repos.mailboxStatus.latest(org.id, user.id)).toMatchObject({ runId: "r2", category: "access_denied" });
    await repos.users.remove(org.id, user.id);
    expect(await repos.mailboxStatus.latest(org.id, user.id)).toBeNull();
  });

  it("never stores a password, client secret or token in plaintext, in rows or in the database file", async () => {
    const org = await repos.organizations.create({ name: "Secrets", tenantId: null, createdBy: "test" });
    await repos.emailConfigs.save(
      org.id,
      {
        ...basicConfig(SECRETS.password),
        clientSecret: { kind: "set", value: SECRETS.clientSecret },
      },
      0,
      "admin",
    );
    await repos.emailConfigs.saveServiceAccount(org.id, {
      username: "svc@contoso.com",
      state: "signed_in",
      tokenExpiresAt: null,
      tokenCache: SECRETS.tokenCache,
    });
    await repos.audit.record({ orgId: org.id, actor: "admin", action: "email_config.update", after: SECRETS });
    expect(await repos.emailConfigs.credentials(org.id)).toMatchObject({
      password: SECRETS.password,
      clientSecret: SECRETS.clientSecret,
      tokenCache: SECRETS.tokenCache,
    });

    const rows = [
      ...(await harness.database.db.selectFrom("email_configs").selectAll().execute()),
      ...(await harness.database.db.selectFrom("audit_events").selectAll().execute()),
    ];
    const text = JSON.stringify(rows);
    for (const secret of ["Plaintext-Password", "Plaintext-ClientSecret", "Plaintext-RefreshToken"]) {
      expect(text).not.toContain(secret);
    }
    if (harness.dir) {
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(harness.database.db);
      const folder = path.join(harness.dir, "nested", "folder");
      for (const file of await readdir(folder)) {
        const bytes = await readFile(path.join(folder, file));
        for (const secret of ["Plaintext-Password", "Plaintext-ClientSecret", "Plaintext-RefreshToken"]) {
          expect(bytes.includes(Buffer.from(secret)), `${file} holds ${secret}`).toBe(false);
        }
      }
    }
  });

  it("re-seals every secret under a new key, after which the old key is no longer needed", async () => {
    // An interrupted run over an unsaved draft: its sealed draft must survive the rotation to resume.
    const draftOrg = await repos.organizations.create({ name: "Drafts", tenantId: null, createdBy: "test" });
    await repos.users.add(draftOrg.id, { email: "ada@drafts.test", displayName: "Ada", role: "user" }, "test");
    const draft: ResolvedEmailConfig = {
      accessType: "ews_basic_impersonation",
      ewsUrl: "https://mail.drafts.test/EWS/Exchange.asmx",
      accountLogon: "svc@drafts.test",
      password: SECRETS.password,
    };
    const runs = checkRunsRepository(harness.database.db);
    const runId = randomUUID();
    const created = await runs.create({
      id: runId,
      orgId: draftOrg.id,
      depth: "read",
      scope: { all: true },
      accessType: draft.accessType,
      configVersion: null,
      draftEnc: sealDraft(new Keyring([k1]), runId, draft),
      concurrency: 1,
      startedBy: "admin@drafts.test",
    });
    expect(created.kind).toBe("created");
    // Monitoring's webhook signing secret, sealed under the old key too.
    const webhookSecret = new Keyring([k1]).seal("whsec-0123456789abcdef", webhookSecretContext(draftOrg.id));
    await harness.database.db
      .insertInto("monitoring_settings")
      .values({ org_id: draftOrg.id, webhook_secret_enc: webhookSecret })
      .execute();

    // The attestation signing key's private half, sealed under the old key on its first use.
    const signedWith = (await attestationKeys(harness.database.db, new Keyring([k1])).signingKey()).kid;

    const rotated = new Keyring([k2, k1]);
    const moved = await resealAll(harness.database.db, rotated);
    expect(moved.monitoring_settings).toBe(1);
    expect(moved.attestation_keys).toBe(1);
    expect((await attestationKeys(harness.database.db, new Keyring([k2])).signingKey()).kid).toBe(signedWith);
    const resealedWebhook = await harness.database.db
      .selectFrom("monitoring_settings")
      .select("webhook_secret_enc")
      .where("org_id", "=", draftOrg.id)
      .executeTakeFirstOrThrow();
    expect(new Keyring([k2]).open(resealedWebhook.webhook_secret_enc!, webhookSecretContext(draftOrg.id))).toBe(
      "whsec-0123456789abcdef",
    );
    expect(moved.email_configs).toBeGreaterThanOrEqual(4);
    expect(moved.check_runs).toBe(1);
    const interrupted = (await runs.interrupted()).find((run) => run.id === runId);
    expect(interrupted?.draftEnc).toMatch(/^v1\.k2\./);
    expect(openDraft(new Keyring([k2]), runId, interrupted!.draftEnc!)).toEqual(draft);
    // Still bound to its run: the re-sealed envelope opens under no other run's id.
    expect(() => openDraft(new Keyring([k2]), randomUUID(), interrupted!.draftEnc!)).toThrow(SecretsError);
    const envelopes = (await harness.database.db.selectFrom("email_configs").selectAll().execute()).flatMap((row) =>
      [row.password_enc, row.client_secret_enc, row.private_key_enc, row.token_cache_enc].filter(
        (value): value is string => value !== null,
      ),
    );
    expect(envelopes.every((envelope) => envelope.startsWith("v1.k2."))).toBe(true);
    expect(await resealAll(harness.database.db, rotated)).toEqual({
      email_configs: 0,
      check_runs: 0,
      monitoring_settings: 0,
      attestation_keys: 0,
    });
    const onlyNew = createRepositories(harness.database.db, { keyring: new Keyring([k2]) });
    const org = (await repos.organizations.list()).find((o) => o.name === "Secrets")!;
    expect(await onlyNew.emailConfigs.credentials(org.id)).toMatchObject({
      password: SECRETS.password,
      tokenCache: SECRETS.tokenCache,
    });
  });
});
