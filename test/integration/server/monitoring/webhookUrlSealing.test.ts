/**
 * Issue 27, item 6: a saved webhook URL's path and query are a credential. They are sealed at rest (and re-sealed by
 * `secrets:rotate`), shown and audited as the origin only, and replaced only when typed again; rows saved before
 * migration 020 are sealed with nothing lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertChannelsDto } from "../../../../src/contract/monitoring.js";
import { resealAll } from "../../../../src/server/domains.js";
import { webhookUrlContext } from "../../../../src/server/monitoring/webhookUrl.js";
import { Keyring, generateKeyEntry, parseKey } from "../../../../src/server/secrets/keyring.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";

const ADMIN = "admin@contoso.test";
const HOOK = "https://mail.contoso.com/services/T0001/B0002/XyZsecretPathToken?token=q5ecret";
const SHOWN = "https://mail.contoso.com/…";
const SECRET = "a-signing-secret-of-16+";
let harness: TestBackend;
let orgId = "";
let token = "";
const posted: string[] = [];

const api = (method: "GET" | "PUT" | "POST", url: string, payload?: unknown) =>
  harness.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
const channelsUrl = () => `/api/orgs/${orgId}/monitoring/channels`;
const settingsRow = () =>
  harness.database.db
    .selectFrom("monitoring_settings")
    .select(["channels_json", "webhook_url_enc"])
    .where("org_id", "=", orgId)
    .executeTakeFirstOrThrow();
const testSend = async () => {
  expect((await api("POST", `${channelsUrl()}/test`)).statusCode).toBe(202);
  await harness.app.ctx.monitoring.idle();
  return posted.at(-1);
};

beforeAll(async () => {
  harness = await createTestBackend({ env: { ALERT_TEST_SENDS_MAX: "100" } });
  orgId = (await harness.seedOrg({ name: "Contoso", admin: ADMIN })).orgId;
  token = await harness.token(ADMIN);
  (harness.app.ctx.monitoring as unknown as { deps: { fetch: unknown } }).deps.fetch = (url: string) => {
    posted.push(url);
    return Promise.resolve({ status: 200, headers: new Headers(), body: null });
  };
});
afterAll(async () => {
  await harness.close();
});

describe("webhook URLs", () => {
  it("are sealed at rest, shown and audited by their origin only", async () => {
    const saved = await api("PUT", channelsUrl(), {
      email: { enabled: false, recipients: [] },
      webhook: { enabled: true, url: HOOK, secret: SECRET },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<AlertChannelsDto>().webhook.url).toBe(SHOWN);
    expect((await api("GET", channelsUrl())).json<AlertChannelsDto>().webhook.url).toBe(SHOWN);
    const row = await settingsRow();
    expect(row.channels_json).not.toContain("XyZsecretPathToken");
    expect(row.webhook_url_enc).toMatch(/^v1\./);
    expect(harness.keyring.open(row.webhook_url_enc!, webhookUrlContext(orgId))).toBe(HOOK);
    const audit = await api("GET", `/api/orgs/${orgId}/audit`);
    expect(audit.body).not.toContain("XyZsecretPathToken");
    expect(audit.body).not.toContain("q5ecret");
    expect(await testSend()).toBe(HOOK);
  });

  it("keep the stored URL when the shown form comes back, and replace it only when typed again", async () => {
    const kept = await api("PUT", channelsUrl(), {
      email: { enabled: false, recipients: [] },
      webhook: { enabled: true, url: SHOWN },
    });
    expect(kept.statusCode, kept.body).toBe(200);
    expect(await testSend()).toBe(HOOK);

    const replaced = "https://mail.contoso.com/services/T0001/B0002/NewToken";
    await api("PUT", channelsUrl(), {
      email: { enabled: false, recipients: [] },
      webhook: { enabled: true, url: replaced },
    });
    expect(await testSend()).toBe(replaced);
    await api("PUT", channelsUrl(), {
      email: { enabled: false, recipients: [] },
      webhook: { enabled: false, url: "" },
    });
    expect(await settingsRow()).toMatchObject({ webhook_url_enc: null });
  });

  it("saved in clear before migration 020 are still used, then sealed at start-up and by secrets:rotate", async () => {
    const clear = JSON.stringify({
      email: { enabled: false, recipients: [] },
      webhook: { enabled: true, url: HOOK },
    });
    await harness.database.db
      .updateTable("monitoring_settings")
      .set({ channels_json: clear, webhook_url_enc: null })
      .where("org_id", "=", orgId)
      .execute();
    expect((await api("GET", channelsUrl())).json<AlertChannelsDto>().webhook.url).toBe(SHOWN);
    expect(await testSend()).toBe(HOOK);

    expect(await harness.app.ctx.monitoring.sealClearWebhookUrls()).toBe(1);
    const sealed = await settingsRow();
    expect(sealed.channels_json).not.toContain("XyZsecretPathToken");
    expect(harness.keyring.open(sealed.webhook_url_enc!, webhookUrlContext(orgId))).toBe(HOOK);
    expect(await testSend()).toBe(HOOK);

    // Rotation: a clear row is sealed, a sealed one moves to the new key.
    const next = parseKey(generateKeyEntry("k9"));
    const rotated = new Keyring([next, ...harness.keyring.keys]);
    await resealAll(harness.database.db, rotated);
    const moved = await settingsRow();
    expect(rotated.keyIdOf(moved.webhook_url_enc!)).toBe("k9");
    expect(new Keyring([next]).open(moved.webhook_url_enc!, webhookUrlContext(orgId))).toBe(HOOK);
  });
});
