/**
 * Issue 27, item 5: what Fastify's router refuses before any route runs (a path that is not valid percent-encoding,
 * a path parameter over the router's length limit) is problem+json with the API's security headers, echoing no input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_SECURITY_HEADERS } from "../../../src/server/errors.js";
import { createTestBackend, type TestBackend } from "../../support/backend.js";

let backend: TestBackend;
beforeAll(async () => {
  backend = await createTestBackend();
});
afterAll(async () => {
  await backend.close();
});

function expectHardened(response: { headers: Record<string, unknown> }): void {
  expect(response.headers["content-type"]).toContain("application/problem+json");
  expect(response.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(response.headers["x-content-type-options"]).toBe("nosniff");
  expect(response.headers["strict-transport-security"]).toContain("max-age=");
  expect(response.headers["referrer-policy"]).toBe("no-referrer");
}

describe("router-level errors", () => {
  it("answer a path with bad percent-encoding with a problem+json 400 and the security headers", async () => {
    const response = await backend.app.inject({ method: "GET", url: "/api/orgs/%ff/users" });
    expect(response.statusCode).toBe(400);
    expectHardened(response);
    const problem = response.json<Record<string, unknown>>();
    expect(problem).toMatchObject({ type: "about:blank", title: "Bad Request", status: 400 });
    expect(problem.code).toBeUndefined();
    expect(response.body).not.toContain("%ff");
  });

  it("answer a 2,000-character path parameter with a problem+json 414 that does not echo the path", async () => {
    const long = "a".repeat(2000);
    const response = await backend.app.inject({ method: "GET", url: `/api/orgs/${long}/users` });
    expect(response.statusCode).toBe(414);
    expectHardened(response);
    const problem = response.json<Record<string, unknown>>();
    expect(problem).toMatchObject({ type: "about:blank", title: "URI Too Long", status: 414 });
    expect(problem.code).toBeUndefined();
    expect(response.body).not.toContain("aaaaaaaaaa");
  });

  it("carry the same security headers as an answer from a route", async () => {
    const routed = await backend.app.inject({ method: "GET", url: "/api/orgs/x/users" });
    for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) expect(routed.headers[name], name).toBe(value);
  });
});
