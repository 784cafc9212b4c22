/** The admin CLI, secrets rotation with the development key file, and main.ts starting and stopping cleanly. */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdmin, UsageError } from "../../../src/server/cli/admin.js";
import { rotateSecrets } from "../../../src/server/cli/rotateSecrets.js";
import { attestationKeys } from "../../../src/server/attestation/signingKeys.js";
import { openDraft, sealDraft } from "../../../src/server/emailConfig/draftSeal.js";
import { checkRunsRepository } from "../../../src/server/checks/repository.js";
import { openDatabase } from "../../../src/server/db/database.js";
import type { ResolvedEmailConfig } from "../../../src/server/exchange/config.js";
import { createRepositories } from "../../../src/server/repositories.js";
import { Keyring, parseKey } from "../../../src/server/secrets/keyring.js";
import { freePort } from "../../support/freePort.js";

let dir = "";
let env: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cli-"));
  env = {
    DATABASE_URL: path.join(dir, "data", "app.db"),
    SECRETS_KEY_FILE: path.join(dir, "data", "secrets-keys.json"),
    NODE_ENV: "development",
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("admin CLI", () => {
  it("creates an organization with its first admin on a fresh database, then lists it", async () => {
    const created = (await runAdmin(
      [
        "create-org",
        "--name",
        "Contoso",
        "--tenant",
        "0b7e8c3a-1f2d-4e5a-9b6c-7d8e9f0a1b2c",
        "--admin",
        "ada@contoso.com",
      ],
      env,
    )) as { org: { id: string; name: string }; admin: { role: string } };
    expect(created).toMatchObject({ org: { name: "Contoso" }, admin: { role: "admin" } });
    const listed = (await runAdmin(["list-orgs"], env)) as { orgs: Array<{ id: string }> };
    expect(listed.orgs.map((o) => o.id)).toEqual([created.org.id]);
    const promoted = await runAdmin(["add-admin", "--org", created.org.id, "--email", "bob@contoso.com"], env);
    expect(promoted).toMatchObject({ user: { email: "bob@contoso.com", role: "admin" } });
  });

  it.each([
    [["create-org", "--name", "X"], /--admin is required/],
    [["create-org", "--name", "X", "--admin", "nope"], /--admin must be an email/],
    [["create-org", "--name", "X", "--admin", "a@b.co", "--tenant", "contoso"], /--tenant must be a tenant GUID/],
    [["create-org", "--name", "Contoso\u001b[2J", "--admin", "a@b.co"], /--name contains a control character/],
    [["create-org", "--name", "X", "--admin", "a@b.co", "--admin-name", "Ada\u202eAdmin"], /--admin-name contains/],
    [["frobnicate"], /Usage/],
  ])("refuses %j with a usage message", async (argv, message) => {
    const error = await runAdmin(argv, env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });
});

describe("secrets rotation with the development key file", () => {
  it("adds a new active key, re-seals every secret and an interrupted run's draft, and prunes the old key on request", async () => {
    const keysBefore = JSON.parse(await readFile(env.SECRETS_KEY_FILE!, "utf8")) as { keys: string[] };
    expect(keysBefore.keys).toHaveLength(1);
    const database = await openDatabase(env.DATABASE_URL!);
    const oldKeyring = new Keyring(keysBefore.keys.map(parseKey));
    const repos = createRepositories(database.db, { keyring: oldKeyring });
    const org = (await repos.organizations.list())[0]!;
    await repos.emailConfigs.saveServiceAccount(org.id, {
      username: "svc@contoso.com",
      state: "signed_in",
      tokenExpiresAt: null,
      tokenCache: "refresh-token-value",
    });
    const draft: ResolvedEmailConfig = {
      accessType: "ews_basic_impersonation",
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
      accountLogon: "svc@contoso.com",
      password: "draft-password-value",
    };
    const runId = randomUUID();
    const created = await checkRunsRepository(database.db).create({
      id: runId,
      orgId: org.id,
      depth: "read",
      scope: { all: true },
      accessType: draft.accessType,
      configVersion: null,
      draftEnc: sealDraft(oldKeyring, runId, draft),
      concurrency: 1,
      startedBy: "admin",
    });
    expect(created.kind).toBe("created");
    await database.close();

    const result = await rotateSecrets([], env);
    expect(result.moved).toEqual({ email_configs: 1, check_runs: 1, monitoring_settings: 0, attestation_keys: 0 });
    // The attestation signing key rotates with the keyring: a new one signs, sealed under the new active key.
    expect(result.attestationKeyId).toMatch(/^att-/);
    const keysAfter = JSON.parse(await readFile(env.SECRETS_KEY_FILE!, "utf8")) as { keys: string[] };
    expect(keysAfter.keys).toHaveLength(2);
    expect(keysAfter.keys[1]).toBe(keysBefore.keys[0]);

    const pruned = await rotateSecrets(["--prune"], env);
    expect(pruned).toMatchObject({ pruned: true, moved: { email_configs: 1, check_runs: 1, attestation_keys: 1 } });
    expect(pruned.attestationKeyId).not.toBe(result.attestationKeyId);
    const keysFinal = JSON.parse(await readFile(env.SECRETS_KEY_FILE!, "utf8")) as { keys: string[] };
    expect(keysFinal.keys).toHaveLength(1);

    const reopened = await openDatabase(env.DATABASE_URL!);
    try {
      const reposAfter = createRepositories(reopened.db, { keyring: new Keyring(keysFinal.keys.map(parseKey)) });
      expect((await reposAfter.emailConfigs.credentials(org.id)).tokenCache).toBe("refresh-token-value");
      const [interrupted] = await checkRunsRepository(reopened.db).interrupted();
      expect(interrupted?.id).toBe(runId);
      expect(openDraft(new Keyring(keysFinal.keys.map(parseKey)), runId, interrupted!.draftEnc!)).toEqual(draft);
      // Both signing keys still open under the one key left, and both stay published.
      const signing = attestationKeys(reopened.db, new Keyring(keysFinal.keys.map(parseKey)));
      expect((await signing.published()).map((key) => key.kid)).toEqual([
        pruned.attestationKeyId,
        result.attestationKeyId,
      ]);
      expect((await signing.signingKey()).kid).toBe(pruned.attestationKeyId);
    } finally {
      await reopened.close();
    }
  });
});

function startServer(extraEnv: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
    env: { ...process.env, ...env, LOG_LEVEL: "warn", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe("main.ts", () => {
  it("stops with a message naming a wrong variable", async () => {
    const server = startServer({ PORT: "eighty" });
    expect(await server.exited).toBe(2);
    expect(server.output()).toContain("PORT");
  });

  it("serves health on the configured port and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const server = startServer({ PORT: String(port) });
    try {
      let healthy = false;
      // tsx compiles the whole backend on start: on a loaded machine that alone can take over ten seconds.
      const deadline = Date.now() + 40_000;
      while (!healthy && Date.now() < deadline) {
        healthy = await fetch(`http://127.0.0.1:${port}/api/health`)
          .then((r) => r.ok)
          .catch(() => false);
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(healthy, server.output()).toBe(true);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill("SIGKILL");
    }
  });
});
