/**
 * Migrations 026 and 027 over data written by the previous schema (migrated to 024, rows written as 024 stored
 * them), on SQLite and PostgreSQL: each configuration becomes its organization's default profile with nothing lost
 * (its secrets still open with the same keyring), an organization without one gets an empty default, and check
 * runs, results, the schedule and the audit trail still point at the organization, whose default profile checks
 * every user.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../../../src/server/db/database.js";
import { migratorFor } from "../../../../src/server/db/migrations.js";
import { migrateToLatest, migrations } from "../../../../src/server/domains.js";
import { createRepositories } from "../../../../src/server/repositories.js";
import { Keyring, parseKey } from "../../../../src/server/secrets/keyring.js";
import { effectiveProfiles, listProfiles } from "../../../../src/server/profiles/service.js";
import { openTestPostgres, postgresEnabled } from "../../../support/postgres.js";

const dialects: Array<"sqlite" | "postgres"> = ["sqlite"];
if (await postgresEnabled()) dialects.push("postgres");

const keyring = new Keyring([parseKey(`k1:${randomBytes(32).toString("base64")}`)]);

interface Opened {
  database: Database;
  dispose: () => Promise<void>;
}

async function openAt024(dialect: "sqlite" | "postgres"): Promise<Opened> {
  let opened: Opened;
  if (dialect === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "profiles-migration-"));
    const database = await openDatabase(path.join(dir, "test.sqlite"));
    opened = {
      database,
      dispose: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } else {
    const postgres = await openTestPostgres("profiles_migration");
    opened = { database: postgres.database, dispose: () => postgres.drop() };
  }
  const migrator = await migratorFor(opened.database.db, migrations);
  const result = await migrator.migrateTo("024_attestation_keys");
  expect(result.error).toBeUndefined();
  return opened;
}

describe.each(dialects)("migrating email configurations to connection profiles on %s", (dialect) => {
  let dispose: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await dispose?.();
    dispose = null;
  });

  it("turns each configuration into its organization's default profile, with nothing lost", async () => {
    const opened = await openAt024(dialect);
    dispose = opened.dispose;
    const db = opened.database.db as unknown as Kysely<unknown>;
    const configured = randomUUID();
    const bare = randomUUID();
    const at = "2026-11-02T09:00:00.000Z";
    for (const [id, name] of [
      [configured, "Contoso"],
      [bare, "Fabrikam"],
    ] as const) {
      await sql`insert into organizations (id, name, tenant_id, created_at, created_by)
        values (${id}, ${name}, null, ${at}, 'setup@example.com')`.execute(db);
    }
    const users = ["ann@contoso.com", "bob@contoso.com", "cy@onprem.contoso.com"].map((email) => ({
      id: randomUUID(),
      email,
    }));
    for (const user of users) {
      await sql`insert into org_users (id, org_id, email, email_normalized, display_name, role, added_by, added_at)
        values (${user.id}, ${configured}, ${user.email}, ${user.email}, ${user.email}, 'user', 'setup', ${at})`.execute(
        db,
      );
    }
    // Sealed as the previous repository sealed them: bound to the column and the organization's id.
    const sealed = (column: string, value: string) => keyring.seal(value, `email_configs.${column}:${configured}`);
    await sql`insert into email_configs (org_id, access_type, ews_url, account_logon, password_enc, ews_authentication,
        service_account_username, service_account_state, service_account_token_expires_at, token_cache_enc,
        app_tenant_id, app_client_id, app_credential_type, client_secret_enc, client_secret_expires_at, certificate_pem,
        certificate_thumbprint, private_key_enc, version, updated_by, updated_at, changed_at)
      values (${configured}, 'ews_basic_impersonation', 'https://mail.contoso.com/EWS/Exchange.asmx',
        'svc-sync@contoso.com', ${sealed("password_enc", "Winter2026!secret")}, 'ntlm', 'svc-oauth@contoso.com',
        'signed_in', '2026-12-01T00:00:00.000Z', ${sealed("token_cache_enc", "refresh-token-value")}, null, null,
        null, ${sealed("client_secret_enc", "old-client-secret")}, '2027-03-31', null, null, null, 7,
        'admin@contoso.com', ${at}, '2026-11-01T08:00:00.000Z')`.execute(db);
    const runId = randomUUID();
    await sql`insert into check_runs (id, org_id, state, depth, scope, access_type, config_version, draft_enc,
        concurrency, total, done, counts_json, preflight_json, stop_category, stop_detail, started_by, started_at,
        finished_at, run_trigger, queued_at)
      values (${runId}, ${configured}, 'completed', 'read', '{"all":true}', 'ews_basic_impersonation', 7, null, 10, 3, 3,
        '{"ok":3}', null, null, null, 'admin@contoso.com', ${at}, ${at}, 'manual', null)`.execute(db);
    for (const user of users) {
      await sql`insert into check_results (run_id, user_id, email, category, severity, detail, primary_smtp_address,
          http_status, attempts, duration_ms, steps_json, checked_at, capabilities_json)
        values (${runId}, ${user.id}, ${user.email}, 'ok', 'ok', null, null, 200, 1, 12, '[]', ${at}, null)`.execute(
        db,
      );
      await sql`insert into user_mailbox_status (org_id, user_id, run_id, category, severity, detail, checked_at)
        values (${configured}, ${user.id}, ${runId}, 'ok', 'ok', null, ${at})`.execute(db);
    }
    await sql`insert into monitoring_settings (org_id, schedule_json, schedule_updated_by, schedule_updated_at)
      values (${configured}, '{"enabled":true,"every":"day","at":"06:00"}', 'admin@contoso.com', ${at})`.execute(db);
    await sql`insert into audit_events (id, org_id, at, actor, action, target, before_json, after_json)
      values (${randomUUID()}, ${configured}, ${at}, 'admin@contoso.com', 'email_config.update', null, null,
        '{"version":7}')`.execute(db);

    await migrateToLatest(opened.database.db);

    const repos = createRepositories(opened.database.db, { keyring });
    // The default profile is the old configuration, field for field, under the organization's id.
    const profile = await repos.emailConfigs.get(configured);
    expect(profile).toMatchObject({
      orgId: configured,
      profileId: configured,
      name: "Default",
      isDefault: true,
      accessType: "ews_basic_impersonation",
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
      accountLogon: "svc-sync@contoso.com",
      hasPassword: true,
      authentication: "ntlm",
      serviceAccount: {
        username: "svc-oauth@contoso.com",
        state: "signed_in",
        tokenExpiresAt: "2026-12-01T00:00:00.000Z",
      },
      appOnly: { hasClientSecret: true, clientSecretExpiresAt: "2027-03-31" },
      version: 7,
      updatedBy: "admin@contoso.com",
      updatedAt: at,
      changedAt: "2026-11-01T08:00:00.000Z",
    });
    // Its secrets still open, with the same keyring, through the email configuration and the profile alike.
    const secrets = {
      password: "Winter2026!secret",
      clientSecret: "old-client-secret",
      tokenCache: "refresh-token-value",
    };
    expect(await repos.emailConfigs.credentials(configured)).toMatchObject(secrets);
    expect(await repos.emailConfigs.profileCredentials(configured, configured)).toMatchObject(secrets);
    expect(await repos.emailConfigs.verify()).toBe(3);

    // The organization without a configuration has an empty default profile at version 0, as the pane saw it.
    expect(await repos.emailConfigs.list(bare)).toEqual([
      expect.objectContaining({ profileId: bare, name: "Default", isDefault: true, accessType: null, version: 0 }),
    ]);

    // Check runs, results, the schedule and the audit trail are where they were.
    const runs = await sql<{ id: string; org_id: string; config_version: number }>`
      select id, org_id, config_version from check_runs`.execute(db);
    expect(runs.rows).toEqual([{ id: runId, org_id: configured, config_version: 7 }]);
    const results = await sql<{
      n: number | string;
    }>`select count(*) as n from check_results where run_id = ${runId}`.execute(db);
    expect(Number(results.rows[0]?.n)).toBe(3);
    const schedule = await sql<{ schedule_json: string }>`
      select schedule_json from monitoring_settings where org_id = ${configured}`.execute(db);
    expect(schedule.rows[0]?.schedule_json).toContain('"enabled":true');
    const audit = await repos.audit.list(configured, { limit: 10 });
    expect(audit.items.map((event) => event.action)).toEqual(["email_config.update"]);

    // Every existing user is checked through the default profile; the list counts them with their latest results.
    const effective = await effectiveProfiles(repos, configured);
    expect(effective.defaultProfileId).toBe(configured);
    expect([...effective.byUser.values()].map((placement) => [placement.profileId, placement.source])).toEqual(
      users.map(() => [configured, "default"]),
    );
    expect((await listProfiles(repos, configured)).items).toEqual([
      expect.objectContaining({
        id: configured,
        name: "Default",
        isDefault: true,
        userCount: 3,
        lastCheck: { checkedAt: at, ok: 3, warning: 0, failing: 0, neverChecked: 0 },
      }),
    ]);
  });
});
