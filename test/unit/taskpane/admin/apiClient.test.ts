import { describe, expect, it } from "vitest";
import { ApiClient } from "../../../../src/taskpane/backend/client";
import { ApiError, BackendUnavailableError, SessionExpiredError } from "../../../../src/taskpane/backend/errors";
import { FakeBackend, fakeAuth, problem } from "./harness";

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
    await expect(file.blob.text()).resolves.toBe("at,actor\n");
  });
});
