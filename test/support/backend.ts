/**
 * The one companion backend for tests: buildApp on a temporary SQLite file (or a PostgreSQL schema), the local token
 * issuer of tokens.ts (plus any other issuer a test trusts, e.g. the lab's), a fixed keyring and a fake DNS resolver
 * (or the system's), with helpers to seed organizations and sign requests. Every route test starts here:
 * `const backend = await createTestBackend(); backend.app.inject(...)`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { createLocalJWKSet, type JWK } from "jose";
import { buildApp, type AppDeps } from "../../src/server/app.js";
import { createOrganization } from "../../src/server/bootstrap.js";
import { loadConfig, type ServerConfig } from "../../src/server/config.js";
import { openDatabase, type Database } from "../../src/server/db/database.js";
import { createOutboundClient } from "../../src/server/net/outbound.js";
import type { Resolver } from "../../src/server/net/urlGuard.js";
import { createRepositories, type Repositories } from "../../src/server/repositories.js";
import { Keyring, generateKeyEntry, parseKey } from "../../src/server/secrets/keyring.js";
import { openTestPostgres, TEST_DATABASE_URL } from "./postgres.js";
import { seedOrg as seedManyUsers, type SeededOrg } from "./seed.js";
import { createTestIssuer, type TestIssuer, type TokenClaims } from "./tokens.js";

/** Names the tests use, resolved without DNS: public addresses for cloud names, private ones for on-premises. */
export const FAKE_DNS: Record<string, string[]> = {
  "outlook.office365.com": ["52.96.166.130"],
  "mail.contoso.com": ["20.50.60.70"],
  "exchange.corp.contoso.com": ["10.20.30.40"],
  "rebind.example.com": ["20.50.60.71", "10.0.0.8"],
  "metadata.example.com": ["169.254.169.254"],
};

export const fakeResolver: Resolver = (hostname) => {
  const addresses = FAKE_DNS[hostname.toLowerCase()];
  return addresses ? Promise.resolve(addresses) : Promise.reject(new Error(`ENOTFOUND ${hostname}`));
};

export interface TestBackend {
  app: FastifyInstance;
  config: ServerConfig;
  database: Database;
  /** The PostgreSQL schema it runs on (null on SQLite): another backend may join it (`joinPostgresSchema`). */
  postgresSchema: string | null;
  repos: Repositories;
  keyring: Keyring;
  issuer: TestIssuer;
  /** Authorization header value for a signed-in user. */
  bearer(claims: TokenClaims | string): Promise<string>;
  /** A signed-in user's bare token (for the check routes' helpers, which add "Bearer "). */
  token(email: string): Promise<string>;
  /** An organization bound to no tenant with `users` users straight into the database (fast for 100,000). */
  seedUsers(users: number, adminEmail?: string, domain?: string): Promise<SeededOrg>;
  /** Creates an organization with one admin (and optional plain users). */
  seedOrg(input: { name: string; admin: string; users?: string[]; tenantId?: string | null }): Promise<{
    orgId: string;
    adminId: string;
    userIds: Record<string, string>;
  }>;
  close(): Promise<void>;
}

export interface TestBackendOptions {
  dialect?: "sqlite" | "postgres";
  /** A second backend process's worth on another backend's PostgreSQL schema (dropped by that one, not this). */
  joinPostgresSchema?: string;
  env?: Record<string, string>;
  deps?: Partial<AppDeps>;
  /** "system" resolves names for real (with OUTBOUND_HOST_OVERRIDES, e.g. the lab's); default FAKE_DNS. */
  resolver?: "fake" | "system";
  /** More issuers to trust, with their key sets (e.g. the lab's, for service-account tokens). */
  extraIssuers?: Array<{ issuer: string; keys: { keys: JWK[] } }>;
}

export async function createTestBackend(options: TestBackendOptions = {}): Promise<TestBackend> {
  const issuer = await createTestIssuer();
  const extraIssuers = options.extraIssuers ?? [];
  const dir = await mkdtemp(path.join(tmpdir(), "sync-sidebar-backend-"));
  const joined =
    options.joinPostgresSchema === undefined
      ? null
      : await openDatabase(TEST_DATABASE_URL, { schema: options.joinPostgresSchema });
  const postgres = options.dialect === "postgres" && joined === null ? await openTestPostgres("backend") : null;
  const databaseUrl = path.join(dir, "backend.db");
  const database = joined ?? postgres?.database ?? (await openDatabase(databaseUrl));
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    TOKEN_ISSUERS: [issuer.issuer, ...extraIssuers.map((extra) => extra.issuer)].join(","),
    TOKEN_AUDIENCE: issuer.audience,
    LOG_LEVEL: "silent",
    // No scheduler on the wall clock: a test that schedules drives it (scheduler.tick with a controllable clock).
    MONITORING_TICK_MS: "0",
    SECRETS_KEY_FILE: path.join(dir, "keys.json"),
    ALLOWED_ORIGINS: "https://localhost:3000",
    ...options.env,
  });
  const keyring = new Keyring([parseKey(generateKeyEntry("test1"))]);
  const outbound = createOutboundClient(
    config.outbound,
    options.resolver === "system" ? {} : { resolve: fakeResolver },
  );
  const keySetFor = (name: string) => {
    const extra = extraIssuers.find((candidate) => candidate.issuer === name);
    return extra === undefined ? issuer.keySetFor(name) : createLocalJWKSet(extra.keys);
  };
  const app = await buildApp(config, { database, keyring, outbound, keySetFor, ...options.deps });
  await app.ready();
  const repos = createRepositories(database.db, { keyring });
  return {
    app,
    config,
    database,
    postgresSchema: options.joinPostgresSchema ?? postgres?.schema ?? null,
    repos,
    keyring,
    issuer,
    bearer: async (claims) => `Bearer ${await issuer.mint(typeof claims === "string" ? { email: claims } : claims)}`,
    token: (email) => issuer.mint({ email }),
    seedUsers: (users, adminEmail, domain) =>
      seedManyUsers(database.db, users, {
        ...(adminEmail === undefined ? {} : { adminEmail }),
        ...(domain === undefined ? {} : { domain }),
      }),
    seedOrg: async ({ name, admin, users = [], tenantId = issuer.tenantId }) => {
      const { org, admin: adminUser } = await createOrganization(
        repos,
        { name, tenantId, adminEmail: admin },
        "test-seed",
      );
      const userIds: Record<string, string> = {};
      for (const email of users) {
        userIds[email] = (await repos.users.add(org.id, { email, displayName: email, role: "user" }, "test-seed")).id;
      }
      return { orgId: org.id, adminId: adminUser.id, userIds };
    },
    close: async () => {
      await app.close();
      await outbound.close();
      if (postgres) await postgres.drop();
      else await database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
