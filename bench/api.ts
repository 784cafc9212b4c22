// `npm run bench -- api [--seconds N] [--rounds N] [--connections N]`
// Throughput of GET /api/orgs/{orgId}/email-config (token verified, rate-limited, membership and configuration read
// from the database on every call) beside a bare route of the same server in the same run. The server runs in this process; the load comes from a second process over
// loopback (an undici Pool). Bare and real phases alternate for several rounds and the medians are reported, so a
// burst of load from elsewhere on the machine skews one phase rather than the whole comparison.
// Prints one JSON line; target: real_rps / bare_rps >= 0.5.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/server/app.js";
import { createOrganization } from "../src/server/bootstrap.js";
import { loadConfig } from "../src/server/config.js";
import { openDatabase } from "../src/server/db/database.js";
import { createRepositories } from "../src/server/repositories.js";
import { Keyring, generateKeyEntry, parseKey } from "../src/server/secrets/keyring.js";
import { createTestIssuer } from "../test/support/tokens.js";

interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The second process: hammers one URL with N keep-alive connections for the given time. */
async function generateLoad(): Promise<void> {
  const { origin, urlPath, authorization, seconds, connections } = JSON.parse(process.env.BENCH_API_LOAD!) as {
    origin: string;
    urlPath: string;
    authorization: string | null;
    seconds: number;
    connections: number;
  };
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const headers = authorization ? { authorization } : {};
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await pool.request({ path: urlPath, method: "GET", headers });
      await response.body.dump();
      if (response.statusCode !== 200) errors += 1;
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    rps: Math.round(latencies.length / elapsed),
    p50_ms: Number(percentile(latencies, 50).toFixed(2)),
    p99_ms: Number(percentile(latencies, 99).toFixed(2)),
    requests: latencies.length,
    errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runLoad(spec: object): Promise<LoadResult> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ["--import", "tsx", self], {
    env: { ...process.env, BENCH_API_LOAD: JSON.stringify(spec) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(output.trim().split("\n").at(-1)!) as LoadResult);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: {
      seconds: { type: "string", default: "3" },
      rounds: { type: "string", default: "3" },
      connections: { type: "string", default: "16" },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const connections = Number(values.connections);
  const dir = mkdtempSync(path.join(tmpdir(), "bench-api-"));
  const issuer = await createTestIssuer();
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: path.join(dir, "bench.db"),
    TOKEN_ISSUERS: issuer.issuer,
    TOKEN_AUDIENCE: issuer.audience,
    LOG_LEVEL: "warn",
    RATE_LIMIT_MAX: "1000000000",
  });
  const keyring = new Keyring([parseKey(generateKeyEntry("bench"))]);
  const database = await openDatabase(config.databaseUrl);
  let app: FastifyInstance | null = null;
  try {
    app = await buildApp(config, {
      database,
      keyring,
      keySetFor: issuer.keySetFor,
      routes: [
        (api) => {
          // Same server, same global hooks; no token, no database, no rate limit.
          api.get(
            "/bench/bare",
            { config: { public: true, rateLimit: false }, schema: { hide: true } },
            (_req, reply) => reply.send({ ok: true }),
          );
          return Promise.resolve();
        },
      ],
    });
    const repos = createRepositories(database.db, { keyring });
    const { org } = await createOrganization(
      repos,
      { name: "Bench", tenantId: issuer.tenantId, adminEmail: "admin@bench.example" },
      "bench",
    );
    await repos.emailConfigs.save(
      org.id,
      {
        accessType: "ews_basic_impersonation",
        ewsUrl: "https://mail.bench.example/EWS/Exchange.asmx",
        accountLogon: "svc@bench.example",
        password: { kind: "set", value: "bench-password" },
        authentication: "automatic",
        appTenantId: null,
        appClientId: null,
        appCredentialType: null,
        clientSecret: { kind: "clear" },
        certificatePem: null,
        certificateThumbprint: null,
        privateKey: { kind: "clear" },
      },
      0,
      "bench",
    );
    await app.listen({ host: "127.0.0.1", port: 0 });
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const authorization = `Bearer ${await issuer.mint({ email: "admin@bench.example" }, { expiresIn: 3600 })}`;
    const real = { origin, urlPath: `/api/orgs/${org.id}/email-config`, authorization, connections };
    const bare = { origin, urlPath: "/api/bench/bare", authorization: null, connections };

    // Warm both paths (JIT, JWKS import, statement cache) before measuring.
    await runLoad({ ...bare, seconds: 1 });
    await runLoad({ ...real, seconds: 1 });
    const bareRuns: LoadResult[] = [];
    const realRuns: LoadResult[] = [];
    for (let round = 0; round < rounds; round += 1) {
      bareRuns.push(await runLoad({ ...bare, seconds }));
      realRuns.push(await runLoad({ ...real, seconds }));
    }
    const errors = [...bareRuns, ...realRuns].reduce((sum, run) => sum + run.errors, 0);
    if (errors > 0) throw new Error(`${errors} answers were not 200`);
    const median = (runs: LoadResult[], pick: (run: LoadResult) => number) =>
      percentile(
        runs.map(pick).sort((a, b) => a - b),
        50,
      );
    const realRps = median(realRuns, (r) => r.rps);
    const bareRps = median(bareRuns, (r) => r.rps);
    console.log(
      JSON.stringify({
        bench: "api",
        real_rps: realRps,
        bare_rps: bareRps,
        ratio: Number((realRps / bareRps).toFixed(3)),
        p50_ms: median(realRuns, (r) => r.p50_ms),
        p99_ms: median(realRuns, (r) => r.p99_ms),
        bare_p50_ms: median(bareRuns, (r) => r.p50_ms),
        bare_p99_ms: median(bareRuns, (r) => r.p99_ms),
        round_ratios: realRuns.map((r, i) => Number((r.rps / bareRuns[i]!.rps).toFixed(3))),
        connections,
        seconds,
        rounds,
        database: "sqlite",
      }),
    );
  } finally {
    await app?.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_API_LOAD) await generateLoad();
else await main();
