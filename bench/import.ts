// `npm run bench -- import [--rows N] [--db sqlite|postgres]`
// Commits a 50,000-row CSV user import through the API (validation, per-row verdicts, one transaction) and prints
// {"bench":"import","rows":50000,"seconds":…}. Target on SQLite: under 10 s.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/server/app.js";
import { createOrganization } from "../src/server/bootstrap.js";
import { loadConfig } from "../src/server/config.js";
import { openDatabase, type Database } from "../src/server/db/database.js";
import { createRepositories } from "../src/server/repositories.js";
import { Keyring, generateKeyEntry, parseKey } from "../src/server/secrets/keyring.js";
import { openTestPostgres, type TestPostgres } from "../test/support/postgres.js";
import { createTestIssuer } from "../test/support/tokens.js";

const { values } = parseArgs({
  args: process.argv.slice(3),
  options: { rows: { type: "string", default: "50000" }, db: { type: "string", default: "sqlite" } },
});
const rows = Number(values.rows);
const dialect = values.db === "postgres" ? "postgres" : "sqlite";

const dir = mkdtempSync(path.join(tmpdir(), "bench-import-"));
const issuer = await createTestIssuer();
const config = loadConfig({
  NODE_ENV: "test",
  DATABASE_URL: path.join(dir, "bench.db"),
  TOKEN_ISSUERS: issuer.issuer,
  TOKEN_AUDIENCE: issuer.audience,
  LOG_LEVEL: "warn",
});
const keyring = new Keyring([parseKey(generateKeyEntry("bench"))]);
let postgres: TestPostgres | null = null;
let database: Database;
if (dialect === "postgres") {
  postgres = await openTestPostgres("bench_import");
  database = postgres.database;
} else {
  database = await openDatabase(config.databaseUrl);
}
let app: FastifyInstance | null = null;
try {
  app = await buildApp(config, { database, keyring, keySetFor: issuer.keySetFor });
  const repos = createRepositories(database.db, { keyring });
  const { org } = await createOrganization(
    repos,
    { name: "Import bench", tenantId: issuer.tenantId, adminEmail: "admin@import.example" },
    "bench",
  );
  const lines = ["email,displayName,role"];
  for (let i = 0; i < rows; i += 1) lines.push(`person${i}@import.example,Person ${i},user`);
  const payload = JSON.stringify({ import: { format: "csv", csv: lines.join("\n") } });
  const authorization = `Bearer ${await issuer.mint({ email: "admin@import.example" })}`;

  const started = performance.now();
  const response = await app.inject({
    method: "POST",
    url: `/api/orgs/${org.id}/users`,
    headers: { authorization, "content-type": "application/json" },
    payload,
  });
  const seconds = (performance.now() - started) / 1000;
  const result = response.json<{ accepted: number; rejected: number }>();
  if (response.statusCode !== 200 || result.accepted !== rows) {
    throw new Error(`import failed: HTTP ${response.statusCode} ${response.body.slice(0, 300)}`);
  }
  const stored = await repos.organizations.userCount(org.id);
  console.log(
    JSON.stringify({
      bench: "import",
      rows,
      seconds: Number(seconds.toFixed(3)),
      rows_per_second: Math.round(rows / seconds),
      stored,
      payload_bytes: payload.length,
      database: dialect,
    }),
  );
} finally {
  await app?.close();
  if (postgres) await postgres.drop();
  else await database.close();
  rmSync(dir, { recursive: true, force: true });
}
