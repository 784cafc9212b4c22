/**
 * Signed access attestations: a finished run of the saved configuration against the lab is signed with the
 * backend's Ed25519 key, verifies against the published JWKS and with `npm run attestation:verify`'s command, and a
 * single changed byte fails. The private key is sealed at rest; a rotation keeps the old public key published.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttestationDto } from "../../../../src/contract/attestation.js";
import type { CheckRunDto } from "../../../../src/contract/checks.js";
import { attestationKeys } from "../../../../src/server/attestation/signingKeys.js";
import { AttestationInvalid, verifyAttestation } from "../../../../src/server/attestation/verify.js";
import { verifyAttestationCommand } from "../../../../src/server/cli/verifyAttestation.js";
import { DEMO_SCENARIO_FILE, loadScenarioFile, startLab, type Lab, type Scenario } from "../../../../src/lab/index.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { seedOrgUsers } from "../../../support/seed.js";

const ADMIN = "admin@contoso.lab";

describe("signed access attestations", () => {
  let lab: Lab;
  let scenario: Scenario;
  let harness: TestBackend;
  let orgId: string;
  let otherOrgId: string;
  let adminToken: string;
  let runId: string;
  let dir: string;

  const call = (method: "GET" | "POST" | "PUT", url: string, body?: unknown, headers: Record<string, string> = {}) =>
    harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${adminToken}`, ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });

  async function finishedRun(draft?: Record<string, unknown>): Promise<CheckRunDto> {
    const started = await call("POST", `/api/orgs/${orgId}/checks`, {
      scope: { all: true },
      depth: "read",
      ...(draft ? { draft } : {}),
    });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json<{ runId: string }>().runId;
    await harness.app.ctx.checks.settled(id);
    return (await call("GET", `/api/orgs/${orgId}/checks/${id}`)).json<CheckRunDto>();
  }

  beforeAll(async () => {
    scenario = await loadScenarioFile(DEMO_SCENARIO_FILE);
    lab = await startLab({ scenario: { ...scenario, latencyMs: { min: 1, max: 2 } }, port: 0 });
    harness = await createTestBackend({
      env: { OUTBOUND_CA_FILE: lab.caCertFile, OUTBOUND_HOST_OVERRIDES: "localhost=127.0.0.1" },
      resolver: "system",
    });
    const org = await harness.seedOrg({ name: "Contoso Lab", admin: ADMIN });
    orgId = org.orgId;
    otherOrgId = (await harness.seedOrg({ name: "Fabrikam", admin: "admin@fabrikam.test" })).orgId;
    await seedOrgUsers(
      harness.database.db,
      orgId,
      scenario.users.map((user) => user.email).filter((email) => email !== ADMIN),
      ADMIN,
    );
    adminToken = await harness.token(ADMIN);
    const saved = await call(
      "PUT",
      `/api/orgs/${orgId}/email-config`,
      {
        accessType: "ews_basic_impersonation",
        ewsUrl: lab.ewsUrl,
        accountLogon: "svc-sync@contoso.lab",
        password: "Sync-Lab-2026!",
      },
      { "if-match": '"0"' },
    );
    expect(saved.statusCode, saved.body).toBe(200);
    const run = await finishedRun();
    expect(run.state).toBe("completed");
    runId = run.id;
    dir = await mkdtemp(path.join(tmpdir(), "attestation-"));
  });

  afterAll(async () => {
    await harness?.close();
    await lab?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function attest(id = runId): Promise<AttestationDto> {
    const response = await call("GET", `/api/orgs/${orgId}/checks/${id}/attestation`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<AttestationDto>();
  }

  async function publishedKeys() {
    const response = await harness.app.inject({ method: "GET", url: "/api/attestation-keys" });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ keys: Array<Record<string, string>> }>();
  }

  it("signs a finished run with every user's verdict, the preflight and the service account", async () => {
    const { document, jws, keyId } = await attest();
    expect(jws.split(".")).toHaveLength(3);
    expect(document.organization).toEqual({ id: orgId, name: "Contoso Lab" });
    expect(document.profiles[0]).toMatchObject({
      accessType: "ews_basic_impersonation",
      serviceAccount: "svc-sync@contoso.lab",
      ewsUrl: lab.ewsUrl,
      configurationCurrent: true,
    });
    expect(document.run).toMatchObject({ id: runId, state: "completed" });
    expect(document.users).toHaveLength(document.run.total);
    const expected = new Map(scenario.users.map((user) => [user.email.toLowerCase(), user]));
    const denied = document.users.filter((user) => user.category === "impersonation_denied");
    expect(denied.length).toBeGreaterThan(0);
    for (const user of document.users) {
      expect(user.checkedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(expected.has(user.email.toLowerCase()) || user.email === ADMIN).toBe(true);
    }
    expect(document.preflight.steps.length).toBeGreaterThan(0);
    expect(document.product.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(document.issuedTo).toBe(ADMIN);
    expect(JSON.stringify(document)).not.toContain("Sync-Lab-2026!");

    const verified = await verifyAttestation(jws, await publishedKeys());
    expect(verified.keyId).toBe(keyId);
    expect(verified.document).toEqual(document);

    const audit = await call("GET", `/api/orgs/${orgId}/audit`);
    expect(audit.body).toContain("check_run.attestation_issued");
  });

  it("verifies with the command against a JWKS file, and fails on one changed byte", async () => {
    const { jws } = await attest();
    const jwksFile = path.join(dir, "keys.json");
    await writeFile(jwksFile, JSON.stringify(await publishedKeys()));
    const good = path.join(dir, "good.jws");
    await writeFile(good, jws);
    const summary = await verifyAttestationCommand([good, "--jwks", jwksFile]);
    expect(summary[0]).toMatch(/^Signature valid/);
    expect(summary.join("\n")).toContain("Contoso Lab");
    expect(summary.join("\n")).toMatch(/Verdicts: \d+ ok/);

    // The pane's download: the general JWS JSON serialization of the same signature.
    const [protectedHeader, payload, signature] = jws.split(".");
    const general = path.join(dir, "good.json");
    await writeFile(general, JSON.stringify({ payload, signatures: [{ protected: protectedHeader, signature }] }));
    expect((await verifyAttestationCommand([general, "--jwks", jwksFile]))[0]).toMatch(/^Signature valid/);

    // One byte of the payload changed (a verdict's letter), the signature kept.
    const decoded = Buffer.from(payload!, "base64url").toString("utf8");
    const changedAt = decoded.indexOf("impersonation_denied");
    expect(changedAt).toBeGreaterThan(0);
    const tampered = `${decoded.slice(0, changedAt)}I${decoded.slice(changedAt + 1)}`;
    const bad = path.join(dir, "bad.jws");
    await writeFile(bad, `${protectedHeader}.${Buffer.from(tampered).toString("base64url")}.${signature}`);
    await expect(verifyAttestationCommand([bad, "--jwks", jwksFile])).rejects.toThrow(AttestationInvalid);

    // One byte of the signature changed.
    const flipped = `${signature!.slice(0, 10)}${signature![10] === "A" ? "B" : "A"}${signature!.slice(11)}`;
    await expect(verifyAttestation(`${protectedHeader}.${payload}.${flipped}`, await publishedKeys())).rejects.toThrow(
      /does not verify/,
    );
  });

  it("keeps the private key sealed and publishes only public keys", async () => {
    await attest();
    const rows = await harness.database.db.selectFrom("attestation_keys").selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.private_jwk_enc.startsWith("v1.")).toBe(true);
      expect(row.private_jwk_enc).not.toContain('"d"');
    }
    const { keys } = await publishedKeys();
    for (const key of keys) {
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
      expect(key).not.toHaveProperty("d");
    }
  });

  it("after a rotation signs with the new key and still verifies what the old key signed", async () => {
    const before = await attest();
    const newKid = await attestationKeys(harness.database.db, harness.keyring).rotate();
    const after = await attest();
    expect(after.keyId).toBe(newKid);
    expect(after.keyId).not.toBe(before.keyId);
    const jwks = await publishedKeys();
    expect(jwks.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([before.keyId, after.keyId]));
    await expect(verifyAttestation(before.jws, jwks)).resolves.toMatchObject({ keyId: before.keyId });
    await expect(verifyAttestation(after.jws, jwks)).resolves.toMatchObject({ keyId: newKid });
  });

  it("refuses a run of an unsaved configuration, another organization's run and a caller without a token", async () => {
    const draft = await finishedRun({
      accessType: "ews_basic_impersonation",
      ewsUrl: lab.ewsUrl,
      accountLogon: "svc-sync@contoso.lab",
      password: "Sync-Lab-2026!",
    });
    const refused = await call("GET", `/api/orgs/${orgId}/checks/${draft.id}/attestation`);
    expect(refused.statusCode).toBe(409);
    expect(refused.headers["content-type"]).toContain("application/problem+json");
    expect(refused.json<{ detail: string }>().detail).toMatch(/unsaved configuration/);

    const foreign = await harness.app.inject({
      method: "GET",
      url: `/api/orgs/${otherOrgId}/checks/${runId}/attestation`,
      headers: { authorization: `Bearer ${await harness.token("admin@fabrikam.test")}` },
    });
    expect(foreign.statusCode).toBe(404);

    const anonymous = await harness.app.inject({
      method: "GET",
      url: `/api/orgs/${orgId}/checks/${runId}/attestation`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
