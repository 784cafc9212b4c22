/**
 * npm run doctor against the Exchange lab in a production configuration: a correct configuration passes every step,
 * and each broken variable fails at its own step with a fix.
 */
import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productionEnvForLab } from "../../../../scripts/labEnv.js";
import { stampManifest } from "../../../../scripts/manifestStamp.js";
import { startLab, type Lab } from "../../../../src/lab/index.js";
import { createOrganization } from "../../../../src/server/bootstrap.js";
import { runDoctor } from "../../../../src/server/cli/doctor.js";
import type { StepResult } from "../../../../src/server/cli/doctorSteps.js";
import { openDatabase } from "../../../../src/server/db/database.js";
import { migrateToLatest } from "../../../../src/server/domains.js";
import { createRepositories } from "../../../../src/server/repositories.js";
import { Keyring, parseKey } from "../../../../src/server/secrets/keyring.js";

const root = fileURLToPath(new URL("../../../..", import.meta.url));
const PANE_URL = "https://sidebar.contoso.example";
const KEY = `k1:${Buffer.alloc(32, 1).toString("base64")}`;
const OTHER_KEY = `k2:${Buffer.alloc(32, 2).toString("base64")}`;

let lab: Lab;
let dir = "";
let paneFolder = "";
let env: Record<string, string> = {};
let smtp: Server;
let smtpPort = 0;

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

beforeAll(async () => {
  lab = await startLab();
  dir = await mkdtemp(path.join(tmpdir(), "doctor-"));

  // A built pane as `npm run build` leaves it: the pages, the icons and the stamped manifest.
  paneFolder = path.join(dir, "dist");
  await mkdir(paneFolder);
  for (const page of ["taskpane.html", "auth.html"]) await writeFile(path.join(paneFolder, page), "<!doctype html>");
  for (const size of [16, 32, 64, 80, 128]) {
    await copyFile(path.join(root, "assets", `icon-${size}.png`), path.join(paneFolder, `icon-${size}.png`));
  }
  const manifest = stampManifest(await readFile(path.join(root, "manifest.xml"), "utf8"), {
    version: "1.0.0",
    baseUrl: PANE_URL,
  });
  await writeFile(path.join(paneFolder, "manifest.xml"), manifest);

  // A migrated database holding one sealed secret (an Email Configuration's password).
  const databaseUrl = path.join(dir, "app.db");
  const database = await openDatabase(databaseUrl);
  await migrateToLatest(database.db);
  const repos = createRepositories(database.db, { keyring: new Keyring([parseKey(KEY)]) });
  const { org } = await createOrganization(
    repos,
    { name: "Contoso", tenantId: null, adminEmail: "ada@contoso.lab" },
    "t",
  );
  await repos.emailConfigs.save(
    org.id,
    {
      accessType: "ews_basic_impersonation",
      authentication: "automatic",
      ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
      accountLogon: "svc-sync@contoso.lab",
      password: { kind: "set", value: "Sync-Lab-2026!" },
      appTenantId: null,
      appClientId: null,
      appCredentialType: null,
      clientSecret: { kind: "keep" },
      certificatePem: null,
      certificateThumbprint: null,
      privateKey: { kind: "keep" },
    },
    0,
    "t",
  );
  await database.close();

  // An SMTP server that greets and accepts EHLO, as a relay would.
  smtp = createServer((socket) => {
    socket.write("220 relay.contoso.example ESMTP\r\n");
    socket.on("data", (chunk: Buffer) => {
      if (chunk.toString().startsWith("EHLO")) socket.write("250-relay.contoso.example\r\n250 STARTTLS\r\n");
      else socket.end("221 bye\r\n");
    });
  });
  smtpPort = await listening(smtp);

  env = {
    ...productionEnvForLab({ ...lab.ready, backendClientSecret: lab.scenario.apps.backend.secret }),
    DATABASE_URL: databaseUrl,
    SECRETS_KEYS: KEY,
    ALLOWED_ORIGINS: PANE_URL,
    ADDIN_BASE_URL: PANE_URL,
    STATIC_DIR: paneFolder,
  };
}, 120_000);

afterAll(async () => {
  await lab?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await rm(dir, { recursive: true, force: true });
});

function stepOf(results: StepResult[], step: string): StepResult {
  const found = results.find((result) => result.step === step);
  if (!found) throw new Error(`no step "${step}" in ${JSON.stringify(results.map((r) => r.step))}`);
  return found;
}

describe("npm run doctor against the lab", () => {
  it("passes a correct production configuration, step by step", async () => {
    const { results, passed } = await runDoctor(env, path.join(dir, "unused"));
    expect(
      results.filter((result) => result.status === "failed"),
      JSON.stringify(results, null, 2),
    ).toEqual([]);
    expect(passed).toBe(true);
    expect(results.map((result) => [result.step, result.status])).toEqual([
      ["environment", "ok"],
      ["database", "ok"],
      ["secrets", "ok"],
      ["token issuer", "ok"],
      ["audience", "ok"],
      ["pane", "ok"],
      ["allowed origins", "ok"],
      ["smtp", "not configured"],
      ["outbound guard", "ok"],
    ]);
    expect(stepOf(results, "secrets").detail).toContain("1 stored secret(s) open");
    expect(stepOf(results, "token issuer").detail).toContain(lab.issuer);
  });

  it("probes SMTP when SMTP_HOST is set: a relay that accepts EHLO passes", async () => {
    const { results } = await runDoctor({ ...env, SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtpPort) }, paneFolder);
    expect(stepOf(results, "smtp")).toMatchObject({ status: "ok", detail: expect.stringContaining("EHLO") as string });
  });

  const broken: Array<[string, () => Record<string, string | undefined>, string, RegExp]> = [
    ["TOKEN_AUDIENCE missing", () => ({ TOKEN_AUDIENCE: undefined }), "environment", /TOKEN_AUDIENCE is required/],
    [
      "OUTBOUND_HOST_OVERRIDES set",
      () => ({ OUTBOUND_HOST_OVERRIDES: "a.lab=127.0.0.1" }),
      "environment",
      /OUTBOUND_HOST_OVERRIDES/,
    ],
    [
      "DATABASE_URL to a missing file",
      () => ({ DATABASE_URL: path.join(dir, "nope.db") }),
      "database",
      /no database file/,
    ],
    [
      "DATABASE_URL to an empty database",
      () => ({ DATABASE_URL: path.join(dir, "empty.db") }),
      "database",
      /lacks migration\(s\) 001_core/,
    ],
    [
      "SECRETS_KEYS without the sealing key",
      () => ({ SECRETS_KEYS: OTHER_KEY }),
      "secrets",
      /secrets key "k1" is not configured/,
    ],
    ["SECRETS_KEYS too short", () => ({ SECRETS_KEYS: "k1:c2hvcnQ=" }), "secrets", /32 bytes/],
    [
      "TOKEN_ISSUERS with a trailing slash",
      () => ({ TOKEN_ISSUERS: `${lab.issuer}/` }),
      "token issuer",
      /discovery names the issuer/,
    ],
    [
      "TOKEN_JWKS_URI elsewhere",
      () => ({ TOKEN_JWKS_URI: `${lab.baseUrl}/keys.json` }),
      "token issuer",
      /publishes its keys at/,
    ],
    ["OUTBOUND_CA_FILE missing", () => ({ OUTBOUND_CA_FILE: undefined }), "token issuer", /discovery .* failed/],
    ["OUTBOUND_ALLOWED_HOSTS missing", () => ({ OUTBOUND_ALLOWED_HOSTS: undefined }), "token issuer", /refused/],
    [
      "TOKEN_AUDIENCE misshaped",
      () => ({ TOKEN_AUDIENCE: "sync-sidebar" }),
      "audience",
      /neither an application \(client\) id nor an api:\/\/ URI/,
    ],
    [
      "BACKEND_CLIENT_ID another app",
      () => ({ BACKEND_CLIENT_ID: "9d4f1a7c-2e6b-4c83-b5a9-0e7d3c8f1b26" }),
      "audience",
      /does not name BACKEND_CLIENT_ID/,
    ],
    [
      "ALLOWED_ORIGINS without the pane",
      () => ({ ALLOWED_ORIGINS: "https://other.contoso.example" }),
      "allowed origins",
      /lacks the pane's origin https:\/\/sidebar\.contoso\.example/,
    ],
    [
      "ADDIN_BASE_URL elsewhere",
      () => ({ ADDIN_BASE_URL: "https://elsewhere.contoso.example" }),
      "pane",
      /was built for https:\/\/sidebar\.contoso\.example/,
    ],
    [
      "STATIC_DIR without a pane",
      () => ({ STATIC_DIR: dir }),
      "pane",
      /lacks taskpane\.html, auth\.html, manifest\.xml/,
    ],
    ["SMTP_HOST unreachable", () => ({ SMTP_HOST: "127.0.0.1", SMTP_PORT: "1" }), "smtp", /127\.0\.0\.1:1/],
    [
      "OUTBOUND_ALLOW_PRIVATE everything",
      () => ({ OUTBOUND_ALLOW_PRIVATE: "0.0.0.0/0" }),
      "outbound guard",
      /opens far more than one network/,
    ],
  ];

  it.each(broken)("fails with %s at its step, with a fix", async (_name, change, step, detail) => {
    if (step === "database" && String(change().DATABASE_URL).endsWith("empty.db")) {
      await (await openDatabase(path.join(dir, "empty.db"))).close();
    }
    const { results, passed } = await runDoctor({ ...env, ...change() }, paneFolder);
    const result = stepOf(results, step);
    expect(result, JSON.stringify(results, null, 2)).toMatchObject({ status: "failed" });
    expect(result.detail).toMatch(detail);
    expect(result.fix).toBeTruthy();
    expect(passed).toBe(false);
    // Steps before the broken one still pass: the failure is reported where it is.
    const order = results.map((r) => r.step);
    for (const earlier of results.slice(0, order.indexOf(step)))
      expect(earlier.status, earlier.step).not.toBe("failed");
  });

  it("exits 0 when every step passes and 1 when one fails, printing the fix", async () => {
    const tsx = path.join(root, "node_modules", ".bin", "tsx");
    // Asynchronously: the lab answers from this very process, so blocking on the child would starve it.
    const run = (extra: Record<string, string>) =>
      new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(tsx, [path.join(root, "src", "server", "cli", "doctor.ts")], {
          cwd: root,
          env: { PATH: process.env.PATH ?? "", ...env, ...extra },
        });
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.on("close", (status) => resolve({ status, stdout }));
      });
    const [good, bad] = await Promise.all([run({}), run({ ALLOWED_ORIGINS: "https://other.contoso.example" })]);
    expect(good.status, good.stdout).toBe(0);
    expect(good.stdout).toContain("doctor: every step passed");
    expect(bad.status, bad.stdout).toBe(1);
    expect(bad.stdout).toMatch(/FAILED\s+allowed origins/);
    expect(bad.stdout).toContain("fix: Add https://sidebar.contoso.example to ALLOWED_ORIGINS.");
    expect(bad.stdout).toContain("doctor: 1 step(s) failed");
  });
});
