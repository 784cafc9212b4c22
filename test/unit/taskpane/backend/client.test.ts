import { describe, expect, it } from "vitest";
import { ApiClient } from "../../../../src/taskpane/backend/client";
import { ApiError, BackendUnavailableError, SessionExpiredError } from "../../../../src/taskpane/backend/errors";
import { readBlob } from "../browser/fakeBrowser";
import { FakeBackend, fakeAuth, problem } from "../admin/harness";

function client(backend: FakeBackend) {
  return new ApiClient({ tokens: fakeAuth(), fetch: backend.fetch });
}

describe("ApiClient", () => {
  it("sends the bearer token and retries once with a fresh token after a 401", async () => {
    let calls = 0;
    const backend = new FakeBackend().on("GET /api/me", () =>
      ++calls === 1 ? problem(401, "Unauthorized") : { body: { email: "a@b.c" } },
    );

    await expect(client(backend).me()).resolves.toMatchObject({ email: "a@b.c" });
    expect(backend.sent("GET /api/me").map((r) => r.headers.authorization)).toEqual([
      "Bearer cached-token",
      "Bearer fresh-token",
    ]);
  });

  it("reports an expired session when even a fresh token is refused", async () => {
    const backend = new FakeBackend().on("GET /api/me", problem(401, "Unauthorized"));
    await expect(client(backend).me()).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it("turns problem+json into an ApiError with the server's field errors", async () => {
    const backend = new FakeBackend().on(
      "PUT /api/orgs/org-1/email-config",
      problem(422, "Unprocessable Content", [{ field: "ewsUrl", message: "must use https" }]),
    );

    const failure = await client(backend)
      .saveEmailConfig("org-1", 3, { accessType: "ews_basic_impersonation" })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).fieldErrors).toEqual({ ewsUrl: "must use https" });
    expect(backend.sent("PUT /api/orgs/org-1/email-config")[0]?.headers["if-match"]).toBe('"3"');
  });

  it("names draft fields of a check run by the form's names", async () => {
    const backend = new FakeBackend().on(
      "POST /api/orgs/org-1/checks",
      problem(422, "Unprocessable Content", [{ field: "draft.accountLogon", message: "is required" }]),
    );
    const failure = (await client(backend)
      .startCheck("org-1", { scope: { all: true }, depth: "read" })
      .catch((error: unknown) => error)) as ApiError;
    expect(failure.fieldErrors).toEqual({ accountLogon: "is required" });
  });

  it("reports an unreachable backend, also behind a proxy that answers 502 without a problem body", async () => {
    const down = new FakeBackend().on("GET /api/orgs/org-1/email-config", "network-error");
    await expect(client(down).emailConfig("org-1")).rejects.toBeInstanceOf(BackendUnavailableError);

    const proxied = new FakeBackend().on("GET /api/orgs/org-1/email-config", { status: 502, body: "Bad Gateway" });
    await expect(client(proxied).emailConfig("org-1")).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it("reads the public client settings without a token", async () => {
    const backend = new FakeBackend().on("GET /api/client-config", { body: { clientId: "spa" } });
    await client(backend).clientConfig();
    expect(backend.sent("GET /api/client-config")[0]?.headers.authorization).toBeUndefined();
  });

  it("downloads CSV exports with the server's file name", async () => {
    const backend = new FakeBackend().on("GET /api/orgs/org-1/audit.csv", {
      body: "at,actor\n",
      headers: { "content-disposition": 'attachment; filename="audit-org-1.csv"' },
    });
    const file = await client(backend).auditCsv("org-1");
    expect(file.filename).toBe("audit-org-1.csv");
    await expect(readBlob(file.blob)).resolves.toBe("at,actor\n");
  });

  it("calls every monitoring route of the contract under the org, with bodies and paging", async () => {
    const backend = new FakeBackend();
    const api = client(backend);
    const base = "/api/orgs/org%201/monitoring";
    const empty = { body: { items: [], nextCursor: null } };
    for (const route of [
      `GET ${base}/schedule`,
      `PUT ${base}/schedule`,
      `GET ${base}/alerts`,
      `PUT ${base}/alerts`,
      `GET ${base}/channels`,
      `PUT ${base}/channels`,
      `POST ${base}/channels/test`,
      `GET ${base}/deliveries`,
      `GET ${base}/history`,
      `GET ${base}/status-changes`,
      `GET ${base}/failing-users`,
    ]) {
      backend.on(route, empty);
    }
    const rules = {
      failingShare: { enabled: true, percent: 20 },
      newlyFailing: { enabled: true },
      serviceAccountRefused: { enabled: false },
      serviceAccountSignIn: { enabled: true },
      credentialExpiry: { enabled: true, days: 14 },
    };

    await api.monitoringSchedule("org 1");
    await api.saveMonitoringSchedule("org 1", { mode: "daily", time: "06:00", timeZone: "Europe/Berlin" });
    await api.alertSettings("org 1");
    await api.saveAlertRules("org 1", rules);
    await api.alertChannels("org 1");
    await api.saveAlertChannels("org 1", {
      email: { enabled: true, recipients: ["ops@contoso.lab"] },
      webhook: { enabled: false, url: null },
    });
    await api.testAlertChannels("org 1");
    await api.alertDeliveries("org 1", { cursor: "c2", limit: 10 });
    await api.runHistory("org 1", { limit: 30 });
    await api.statusChanges("org 1", { userId: "u-7" });
    await api.failingUsers("org 1");

    expect(backend.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${base}/schedule`,
      `PUT ${base}/schedule`,
      `GET ${base}/alerts`,
      `PUT ${base}/alerts`,
      `GET ${base}/channels`,
      `PUT ${base}/channels`,
      `POST ${base}/channels/test`,
      `GET ${base}/deliveries`,
      `GET ${base}/history`,
      `GET ${base}/status-changes`,
      `GET ${base}/failing-users`,
    ]);
    expect(backend.sent(`PUT ${base}/schedule`)[0]?.body).toEqual({
      mode: "daily",
      time: "06:00",
      timeZone: "Europe/Berlin",
    });
    expect(backend.sent(`PUT ${base}/alerts`)[0]?.body).toEqual(rules);
    expect(backend.sent(`PUT ${base}/channels`)[0]?.body).toMatchObject({ email: { recipients: ["ops@contoso.lab"] } });
    expect(Object.fromEntries(backend.sent(`GET ${base}/deliveries`)[0]?.query ?? [])).toEqual({
      cursor: "c2",
      limit: "10",
    });
    expect(backend.sent(`GET ${base}/history`)[0]?.query.get("limit")).toBe("30");
    expect(backend.sent(`GET ${base}/status-changes`)[0]?.query.get("userId")).toBe("u-7");
  });
});
