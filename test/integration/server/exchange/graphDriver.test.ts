import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "selfsigned";
import { createMailboxDriver } from "../../../../src/server/exchange/index.js";
import type { GraphAppOnlyConfig } from "../../../../src/server/exchange/config.js";
import { scenarioFile, startExchangeLab, type ExchangeLab } from "../../../support/lab.js";

const signal = new AbortController().signal;
let harness: ExchangeLab;
let certificate: { cert: string; private: string };

const WRITER_APP = "6a1e3c8d-0b5f-4e92-9c7a-2d4f8b1e6c35";
const SCOPED_APP = "4f7b2c9e-1a6d-4b38-8e5f-3c0a7d2b9e61";
const DIRECTORY_ONLY_APP = "b2e6d9a3-7f1c-4a58-9d0b-6e3f8a1c5d74";
const CERT_APP = "0c8e5a2f-6d3b-4f91-a7e4-2b9d1c6f8a30";

function appOnly(clientId: string, credential: GraphAppOnlyConfig["credential"]): GraphAppOnlyConfig {
  return { accessType: "graph_app_only", tenantId: harness.lab.scenario.tenantId, clientId, credential };
}

beforeAll(async () => {
  certificate = await generate([{ name: "commonName", value: "Sync Sidebar app-only" }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 30 * 86_400_000),
  });
  const scenario = scenarioFile("online");
  scenario.apps.appOnly.push({
    clientId: CERT_APP,
    displayName: "Graph app with a certificate",
    certificatePem: certificate.cert,
    roles: { "https://graph.microsoft.com": ["Mail.Read"] },
    mailboxScope: "all",
  });
  scenario.apps.appOnly.push({
    clientId: WRITER_APP,
    displayName: "Graph app with Mail.ReadWrite",
    secret: "lab-online-writer-secret",
    roles: { "https://graph.microsoft.com": ["Mail.ReadWrite", "User.Read.All"] },
    mailboxScope: "scoped",
  });
  scenario.throttling = { ...scenario.throttling, graphBudget: 1, graphRetryAfterSeconds: 3 };
  scenario.latencyMs = { min: 40, max: 40 };
  harness = await startExchangeLab(scenario);
});
afterAll(async () => {
  await harness.close();
});

describe("Microsoft 365 OAuth (Graph) – App-only against the Exchange Online lab", () => {
  const secret = { type: "secret" as const, clientSecret: "lab-online-graph-secret" };

  it("passes preflight with a client-credentials token, its consented permissions and readable rooms", async () => {
    const report = await createMailboxDriver(appOnly(SCOPED_APP, secret), harness.deps()).preflight(signal);
    expect(report).toMatchObject({ canProceed: true, warnings: [] });
    expect(report.steps.map((step) => [step.step, step.category])).toEqual([
      ["Token (client credentials)", "ok"],
      ["Graph appRoleAssignments", "ok"],
      ["Graph places (rooms)", "ok"],
    ]);
    expect(report.steps[1]!.detail).toBe("consented in Entra ID: User.Read.All, Place.Read.All");
  });

  it("stops preflight with secret_id_pasted when the client secret is wrong (Entra's AADSTS7000215)", async () => {
    const report = await createMailboxDriver(
      appOnly(SCOPED_APP, { type: "secret", clientSecret: "wrong" }),
      harness.deps(),
    ).preflight(signal);
    expect(report.canProceed).toBe(false);
    expect(report.steps[0]).toMatchObject({ step: "Token (client credentials)", category: "secret_id_pasted" });
  });

  it("authenticates with a certificate instead of a secret", async () => {
    const driver = createMailboxDriver(
      appOnly(CERT_APP, { type: "certificate", certificatePem: certificate.cert, privateKeyPem: certificate.private }),
      harness.deps(),
    );
    expect((await driver.checkUser({ email: "adam.ok@fabrikam.lab" }, "read", signal)).category).toBe("ok");
  });

  it("refuses a private key that does not belong to the certificate, before any request", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const driver = createMailboxDriver(
      appOnly(CERT_APP, { type: "certificate", certificatePem: certificate.cert, privateKeyPem: other }),
      harness.deps(),
    );
    const outcome = await driver.checkUser({ email: "adam.ok@fabrikam.lab" }, "read", signal);
    expect(outcome).toMatchObject({
      category: "auth_failed",
      detail: "the private key does not belong to the certificate",
    });
  });

  it("classifies each user: in scope, outside the RBAC scope, without a mailbox, unknown", async () => {
    const driver = createMailboxDriver(appOnly(SCOPED_APP, secret), harness.deps());
    const check = async (email: string) => (await driver.checkUser({ email }, "read", signal)).category;
    expect(await check("adam.ok@fabrikam.lab")).toBe("ok");
    expect(await check("bella.outside@fabrikam.lab")).toBe("graph_scope_denied");
    expect(await check("carl.nomailbox@fabrikam.lab")).toBe("no_mailbox");
    expect(await check("nobody@fabrikam.lab")).toBe("user_not_found");
  });

  it("creates and deletes a draft on a full check with Mail.ReadWrite", async () => {
    const outcome = await createMailboxDriver(
      appOnly(WRITER_APP, { type: "secret", clientSecret: "lab-online-writer-secret" }),
      harness.deps(),
    ).checkUser({ email: "adam.ok@fabrikam.lab" }, "full", signal);
    expect(outcome).toMatchObject({ category: "ok", capabilities: { mail: "ok", calendar: "ok", drafts: "ok" } });
    expect(outcome.steps.map((step) => step.step)).toEqual([
      "Graph users (directory)",
      "Graph mailFolders/inbox (mail)",
      "Graph calendar",
      "Graph create draft",
      "Graph delete draft",
    ]);
  });

  it("says drafts_not_permitted on a full check without Mail.ReadWrite instead of failing", async () => {
    const outcome = await createMailboxDriver(appOnly(SCOPED_APP, secret), harness.deps()).checkUser(
      { email: "adam.ok@fabrikam.lab" },
      "full",
      signal,
    );
    expect(outcome).toMatchObject({
      category: "drafts_not_permitted",
      capabilities: { mail: "ok", calendar: "ok", drafts: "drafts_not_permitted" },
    });
  });

  it("says graph_scope_denied for an app without Mail.Read and warns that rooms will not be read", async () => {
    const driver = createMailboxDriver(
      appOnly(DIRECTORY_ONLY_APP, { type: "secret", clientSecret: "lab-online-directory-secret" }),
      harness.deps(),
    );
    expect((await driver.checkUser({ email: "adam.ok@fabrikam.lab" }, "read", signal)).category).toBe(
      "graph_scope_denied",
    );
    const report = await driver.preflight(signal);
    expect(report.canProceed).toBe(true);
    expect(report.warnings[0]!.message).toContain("rooms and resources will not be read");
  });

  it("lists rooms through Graph places", async () => {
    const rooms = await createMailboxDriver(appOnly(SCOPED_APP, secret), harness.deps()).listRooms(signal);
    expect(rooms).toMatchObject({ ok: true, category: "ok" });
    expect(rooms.rooms).toEqual([{ name: "Atlas (8)", email: "room-atlas@fabrikam.lab", roomList: null }]);
  });

  it("reports throttled with Retry-After when the app exceeds Graph's concurrency", async () => {
    const driver = createMailboxDriver(appOnly(SCOPED_APP, secret), harness.deps());
    await driver.checkUser({ email: "adam.ok@fabrikam.lab" }, "read", signal);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => driver.checkUser({ email: "adam.ok@fabrikam.lab" }, "read", signal)),
    );
    const throttled = outcomes.filter((outcome) => outcome.category === "throttled");
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((outcome) => outcome.httpStatus === 429 && outcome.backOffMs === 3000)).toBe(true);
  });
});

describe("the directory through Graph app-only (canary suggestions)", () => {
  const secret = { type: "secret" as const, clientSecret: "lab-online-graph-secret" };

  it("lists users with a mailbox, their proxy addresses as other addresses, and says when it stopped early", async () => {
    const driver = createMailboxDriver(appOnly(SCOPED_APP, secret), harness.deps());
    const listing = await driver.listDirectory(signal, 500);
    if (!listing.ok) throw new Error(`expected a listing, got ${listing.category}`);
    expect(listing.truncated).toBe(false);
    const addresses = listing.mailboxes.map((mailbox) => mailbox.address);
    expect(addresses).toContain("sync-canary@fabrikam.lab");
    expect(addresses).not.toContain("carl.nomailbox@fabrikam.lab");
    expect(
      listing.mailboxes.find((mailbox) => mailbox.address === "hana.schmidt@fabrikam.lab")?.otherAddresses,
    ).toEqual(["hana.alias@fabrikam.lab"]);
    const few = await driver.listDirectory(signal, 3);
    expect(few).toMatchObject({ ok: true, truncated: true });
    if (few.ok) expect(few.mailboxes).toHaveLength(3);
  });
});
