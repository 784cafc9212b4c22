/**
 * The real backend app (buildApp) over a test database, with test-minted bearer tokens: an org with users, its
 * admin, a member, and an admin of another organization, for the check routes' tests.
 */
import type { FastifyInstance } from "fastify";
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from "jose";
import { randomUUID } from "node:crypto";
import { buildApp } from "../../src/server/app.js";
import { loadConfig } from "../../src/server/config.js";
import { Keyring, generateKeyEntry, parseKey } from "../../src/server/secrets/keyring.js";
import { createTestDatabase, type TestDatabase, type TestDialect } from "./database.js";
import { seedOrg, type SeededOrg } from "./seed.js";

const ISSUER = "https://issuer.checks.test/v2.0";
const AUDIENCE = "api://sync-sidebar-checks-test";

export interface Harness {
  app: FastifyInstance;
  testDb: TestDatabase;
  keyring: Keyring;
  token(email: string): Promise<string>;
  seedOrg(users: number, adminEmail?: string, domain?: string): Promise<SeededOrg>;
  close(): Promise<void>;
}

export async function startHarness(
  dialect: TestDialect = "sqlite",
  env: Record<string, string> = {},
  /** More issuers to trust, with their key sets (e.g. the lab's, for service-account tokens). */
  extraIssuers: Array<{ issuer: string; keys: { keys: JWK[] } }> = [],
): Promise<Harness> {
  const testDb = await createTestDatabase(dialect);
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "checks-test", alg: "RS256", use: "sig" };
  const keySet = createLocalJWKSet({ keys: [jwk] });
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: testDb.url,
    TOKEN_ISSUERS: [ISSUER, ...extraIssuers.map((extra) => extra.issuer)].join(","),
    TOKEN_AUDIENCE: AUDIENCE,
    RATE_LIMIT_MAX: "100000",
    ...env,
  });
  const keyring = new Keyring([parseKey(generateKeyEntry("test"))]);
  const app = await buildApp(config, {
    database: testDb.database,
    keyring,
    keySetFor: (issuer) => {
      const extra = extraIssuers.find((candidate) => candidate.issuer === issuer);
      return extra === undefined ? keySet : createLocalJWKSet(extra.keys);
    },
  });
  return {
    app,
    testDb,
    keyring,
    token: (email) =>
      new SignJWT({ preferred_username: email, name: email, oid: randomUUID() })
        .setProtectedHeader({ alg: "RS256", kid: "checks-test" })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(privateKey),
    seedOrg: (users, adminEmail, domain) =>
      seedOrg(testDb.database.db, users, {
        ...(adminEmail === undefined ? {} : { adminEmail }),
        ...(domain === undefined ? {} : { domain }),
      }),
    async close() {
      await app.close();
      await testDb.dispose();
    },
  };
}
