/**
 * Issue 17, defect 3: requests without a valid token are limited per client address (700 forged tokens used to
 * get 700 × 401), with a problem+json 429 and Retry-After; TRUST_PROXY decides which address is the client's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { clientKeyOf, createFailedAuthLimiter } from "../../../../src/server/auth/failedAuthLimiter.js";
import { ConfigError, loadConfig } from "../../../../src/server/config.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";

let backend: TestBackend | null = null;
afterEach(async () => {
  await backend?.close();
  backend = null;
});

async function start(env: Record<string, string> = {}): Promise<TestBackend> {
  backend = await createTestBackend({ env: { AUTH_FAILURE_LIMIT_MAX: "5", ...env } });
  return backend;
}

const me = (app: TestBackend, headers: Record<string, string>, remoteAddress = "127.0.0.1") =>
  app.app.inject({ method: "GET", url: "/api/me", headers, remoteAddress });

describe("failed sign-ins", () => {
  it("answer 429 with Retry-After once an address has sent too many forged tokens", async () => {
    const app = await start();
    const forged = `Bearer ${await app.issuer.forged({ email: "admin@contoso.com" })}`;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await me(app, { authorization: forged })).statusCode);
    expect(statuses).toEqual([...Array<number>(5).fill(401), ...Array<number>(15).fill(429)]);
    const limited = await me(app, { authorization: forged });
    expect(limited.headers["content-type"]).toContain("application/problem+json");
    expect(limited.json()).toMatchObject({ status: 429, title: "Too Many Requests", instance: "/api/me" });
    const retryAfter = Number(limited.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it("count requests without any token, and leave other addresses alone", async () => {
    const app = await start();
    for (let i = 0; i < 5; i += 1) expect((await me(app, {})).statusCode).toBe(401);
    expect((await me(app, {})).statusCode).toBe(429);
    expect((await me(app, { authorization: "Bearer not-a-jwt" })).statusCode).toBe(429);
    expect((await me(app, {}, "203.0.113.9")).statusCode).toBe(401);
    const bearer = await app.bearer("someone@contoso.com");
    expect((await me(app, { authorization: bearer }, "203.0.113.9")).statusCode).toBe(200);
  });

  it("keep accepting a token verified before, so a signed-in user behind the same address keeps working", async () => {
    const app = await start();
    const bearer = await app.bearer("alex@contoso.com");
    expect((await me(app, { authorization: bearer })).statusCode).toBe(200);
    for (let i = 0; i < 6; i += 1) await me(app, { authorization: "Bearer a.b.c" });
    expect((await me(app, { authorization: "Bearer a.b.c" })).statusCode).toBe(429);
    expect((await me(app, { authorization: bearer })).statusCode).toBe(200);
  });

  it("never count public routes or successful sign-ins", async () => {
    const app = await start();
    const bearer = await app.bearer("alex@contoso.com");
    for (let i = 0; i < 10; i += 1) {
      expect((await app.app.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200);
      expect((await me(app, { authorization: bearer })).statusCode).toBe(200);
    }
    expect((await me(app, {})).statusCode).toBe(401);
  });
});

describe("the client address", () => {
  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const app = await start();
    for (let i = 0; i < 5; i += 1) await me(app, { "x-forwarded-for": `198.51.100.${i}` });
    expect((await me(app, { "x-forwarded-for": "198.51.100.99" })).statusCode).toBe(429);
  });

  it("takes the forwarded address when TRUST_PROXY names the proxy", async () => {
    const app = await start({ TRUST_PROXY: "127.0.0.1" });
    for (let i = 0; i < 5; i += 1) await me(app, { "x-forwarded-for": "198.51.100.7" });
    expect((await me(app, { "x-forwarded-for": "198.51.100.7" })).statusCode).toBe(429);
    expect((await me(app, { "x-forwarded-for": "198.51.100.8" })).statusCode).toBe(401);
    // An untrusted peer's header is still ignored: it is limited under its own address.
    expect((await me(app, { "x-forwarded-for": "198.51.100.9" }, "192.0.2.1")).statusCode).toBe(401);
  });

  it("reads TRUST_PROXY as a hop count or a list of proxies, refusing 'trust everyone'", () => {
    const base = { NODE_ENV: "test" as const };
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: "10.0.0.0/8, loopback" }).trustProxy).toEqual(["10.0.0.0/8", "loopback"]);
    expect(() => loadConfig({ ...base, TRUST_PROXY: "true" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY must be a hop count/);
    expect(loadConfig(base).rateLimit.authFailureMax).toBe(60);
  });
});

describe("clientKeyOf", () => {
  it("counts an IPv6 client per /64 and an IPv4-mapped client as its IPv4 address", () => {
    expect(clientKeyOf("2001:db8:1:2:aaaa::1")).toBe(clientKeyOf("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    expect(clientKeyOf("2001:db8:1:2::1")).not.toBe(clientKeyOf("2001:db8:1:3::1"));
    expect(clientKeyOf("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(clientKeyOf("192.0.2.1")).toBe("192.0.2.1");
  });

  it("limits rotating IPv6 addresses of one /64 together", async () => {
    const app = await start();
    for (let i = 0; i < 5; i += 1) await me(app, {}, `2001:db8:7:7::${i + 1}`);
    expect((await me(app, {}, "2001:db8:7:7:ffff::1")).statusCode).toBe(429);
    expect((await me(app, {}, "2001:db8:7:8::1")).statusCode).toBe(401);
  });
});

describe("createFailedAuthLimiter", () => {
  it("opens again when the window ends, and forgets the oldest addresses beyond its bound", () => {
    let now = 0;
    const limiter = createFailedAuthLimiter({ max: 2, windowMs: 10_000, now: () => now, maxAddresses: 2 });
    limiter.recordFailure("a");
    expect(limiter.retryAfterSeconds("a")).toBe(0);
    limiter.recordFailure("a");
    now = 2_500;
    expect(limiter.retryAfterSeconds("a")).toBe(8);
    now = 10_000;
    expect(limiter.retryAfterSeconds("a")).toBe(0);
    limiter.recordFailure("a");
    limiter.recordFailure("b");
    limiter.recordFailure("c");
    limiter.recordFailure("c");
    expect(limiter.retryAfterSeconds("c")).toBe(10);
    limiter.recordFailure("a");
    expect(limiter.retryAfterSeconds("a")).toBe(0);
  });
});
