/**
 * Issue 17, "Also": no cache keeps a signed-in answer, the 431 for oversized headers is problem+json like every
 * other error, and a token without tid acts only in organizations bound to no tenant.
 */
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../support/backend.js";

let backend: TestBackend;
let tenantOrg = "";
let openOrg = "";

beforeAll(async () => {
  backend = await createTestBackend();
  tenantOrg = (await backend.seedOrg({ name: "Contoso", admin: "admin@contoso.com" })).orgId;
  openOrg = (await backend.seedOrg({ name: "Open", admin: "admin@contoso.com", tenantId: null })).orgId;
});
afterAll(async () => {
  await backend.close();
});

describe("Cache-Control", () => {
  it("is no-store on every answer with personal or configuration data, and absent from public ones", async () => {
    const admin = await backend.bearer("admin@contoso.com");
    for (const url of [
      "/api/me",
      "/api/me/mailbox-status",
      "/api/orgs",
      `/api/orgs/${tenantOrg}`,
      `/api/orgs/${tenantOrg}/users`,
      `/api/orgs/${tenantOrg}/audit`,
      `/api/orgs/${tenantOrg}/audit.csv`,
      `/api/orgs/${tenantOrg}/email-config`,
      `/api/orgs/${tenantOrg}/checks`,
      `/api/orgs/${tenantOrg}/checks/00000000-0000-4000-8000-000000000000/results`,
      `/api/orgs/${tenantOrg}/checks/00000000-0000-4000-8000-000000000000/results.csv`,
    ]) {
      const response = await backend.app.inject({ method: "GET", url, headers: { authorization: admin } });
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.headers["cache-control"], url).toBe("no-store");
    }
    const health = await backend.app.inject({ method: "GET", url: "/api/health" });
    expect(health.headers["cache-control"]).toBeUndefined();
  });
});

describe("oversized headers", () => {
  it("get a problem+json 431", async () => {
    await backend.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = backend.app.server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const sent = request(
        { host: "127.0.0.1", port, path: "/api/me", headers: { "x-padding": "x".repeat(64 * 1024) } },
        (response) => {
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (body += chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, type: response.headers["content-type"] ?? "", body }),
          );
        },
      );
      sent.on("error", reject);
      sent.end();
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toBe("application/problem+json");
    expect(JSON.parse(answer.body)).toEqual({
      type: "about:blank",
      title: "Request Header Fields Too Large",
      status: 431,
      detail: "The request's header fields are larger than this server accepts.",
    });
  });
});

describe("a token without tid", () => {
  it("is refused for an organization bound to a tenant, and still reaches one bound to none", async () => {
    const noTenant = `Bearer ${await backend.issuer.mint({ email: "admin@contoso.com", tid: null })}`;
    const get = (url: string) => backend.app.inject({ method: "GET", url, headers: { authorization: noTenant } });
    expect((await get(`/api/orgs/${tenantOrg}`)).statusCode).toBe(404);
    expect((await get(`/api/orgs/${tenantOrg}/users`)).statusCode).toBe(404);
    expect((await get(`/api/orgs/${openOrg}`)).statusCode).toBe(200);
    const orgs = (await get("/api/me")).json<{ orgs: Array<{ id: string }> }>().orgs.map((org) => org.id);
    expect(orgs).toEqual([openOrg]);
    const withTenant = await backend.bearer("admin@contoso.com");
    const both = await backend.app.inject({ method: "GET", url: "/api/me", headers: { authorization: withTenant } });
    expect(both.json<{ orgs: unknown[] }>().orgs).toHaveLength(2);
  });
});
