// What the check-run bench cases share: a fresh database, the lab in its own process, and a lab token.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { LabReadyLine, Scenario } from "../src/lab/index.js";
import { generateKeyEntry } from "../src/server/secrets/keyring.js";
import { backendEnvForLab } from "../test/support/backendProcess.js";

export const root = fileURLToPath(new URL("..", import.meta.url));

export function postgresAdminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
}

/** A fresh database (SQLite file, or a PostgreSQL database of its own); returns its URL and how to drop it. */
export async function createDatabase(
  kind: "sqlite" | "postgres",
  dir: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === "sqlite") return { url: path.join(dir, "bench.sqlite"), drop: () => Promise.resolve() };
  const name = `bench_checks_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(postgresAdminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: postgresAdminUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function startLabProcess(
  scenario: Scenario,
  dir: string,
): Promise<{ ready: LabReadyLine; child: ChildProcess }> {
  const file = path.join(dir, "scenario.json");
  writeFileSync(file, JSON.stringify(scenario));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/lab/main.ts", "--scenario", file, "--port", "0", "--data-dir", path.join(dir, "lab")],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const ready = await new Promise<LabReadyLine>((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const line = buffer.split("\n").find((candidate) => candidate.startsWith("{"));
      if (line !== undefined && buffer.includes("\n")) resolve(JSON.parse(line) as LabReadyLine);
    });
    child.once("exit", (code) => reject(new Error(`lab exited with ${code}: ${stderr}`)));
  });
  return { ready, child };
}

export function labToken(dir: string, user: string, audience: string): string {
  const minted = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/lab/token.ts",
      "--user",
      user,
      "--audience",
      audience,
      "--lifetime",
      "7200",
      "--data-dir",
      path.join(dir, "lab"),
    ],
    { cwd: root, encoding: "utf8" },
  );
  if (minted.status !== 0) throw new Error(`lab:token failed: ${minted.stderr}`);
  return minted.stdout.trim();
}

/**
 * A bench backend's environment: the lab as its identity platform and mailbox server, its own database and key, at
 * most `maxConcurrency` requests per run, errors only in its log; `extra` adds or overrides variables.
 */
export function benchBackendEnv(
  lab: LabReadyLine,
  scenario: Scenario,
  databaseUrl: string,
  maxConcurrency: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...backendEnvForLab({
      ...lab,
      port: Number(new URL(lab.baseUrl).port),
      backendClientSecret: scenario.apps.backend.secret,
    }),
    DATABASE_URL: databaseUrl,
    SECRETS_KEYS: generateKeyEntry("bench"),
    CHECK_MAX_CONCURRENCY: String(maxConcurrency),
    LOG_LEVEL: "error",
    ...extra,
  };
}
