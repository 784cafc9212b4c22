/** Start-up options: the bootstrap organization, the pane's client configuration, a static pane folder. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier } from "../../../src/server/auth/tokenVerifier.js";
import { createTestBackend, type TestBackend } from "../../support/backend.js";
import { createTestIssuer } from "../../support/tokens.js";

describe("an app started with bootstrap, client sign-in settings and a static pane", () => {
  let backend: TestBackend;
  let paneDir = "";

  beforeAll(async () => {
    paneDir = await mkdtemp(path.join(tmpdir(), "pane-"));
    await mkdir(path.join(paneDir, "assets"));
    await writeFile(path.join(paneDir, "index.html"), "<!doctype html><title>pane</title>");
    await writeFile(path.join(paneDir, "assets", "app.js"), "console.log('pane');");
    // What a production build puts next to the pane: the compiled backend and Vite's dotfolder.
    await mkdir(path.join(paneDir, "server"));
    await writeFile(path.join(paneDir, "server", "main.js"), "// the backend");
    await mkdir(path.join(paneDir, ".vite"));
    await writeFile(path.join(paneDir, ".vite", "manifest.json"), "{}");
    backend = await createTestBackend({
      env: {
        BOOTSTRAP_ADMIN: "demo-admin@contoso.com",
        BOOTSTRAP_ORG_NAME: "Contoso Demo",
        AUTH_AUTHORITY: "https://localhost:4443",
        AUTH_CLIENT_ID: "sync-sidebar-pane",
        AUTH_KNOWN_AUTHORITIES: "localhost:4443",
        AUTH_API_SCOPES: "api://sync-sidebar/access_as_user",
        STATIC_DIR: paneDir,
      },
    });
  });
  afterAll(async () => {
    await backend.close();
    await rm(paneDir, { recursive: true, force: true });
  });

  it("creates the demo organization with its admin once", async () => {
    const me = await backend.app.inject({
      method: "GET",
      url: "/api/me",
      headers: { authorization: await backend.bearer("demo-admin@contoso.com") },
    });
    expect(me.json().orgs).toEqual([expect.objectContaining({ name: "Contoso Demo", role: "admin" })]);
  });

  it("publishes the pane's sign-in settings without a token and without secrets", async () => {
    const response = await backend.app.inject({ method: "GET", url: "/api/client-config" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      authority: "https://localhost:4443",
      clientId: "sync-sidebar-pane",
      knownAuthorities: ["localhost:4443"],
      apiScopes: ["api://sync-sidebar/access_as_user"],
      protocolMode: "oidc",
      serviceAccountScopes: ["https://outlook.office365.com/EWS.AccessAsUser.All", "offline_access"],
    });
  });

  it("serves the pane's files at / with a CSP that lets Outlook frame it, and index.html for client routes", async () => {
    const script = await backend.app.inject({ method: "GET", url: "/assets/app.js" });
    expect(script.statusCode).toBe(200);
    expect(script.headers["content-type"]).toContain("text/javascript");
    expect(script.headers["content-security-policy"]).toContain("frame-ancestors 'self' https://*.office.com");
    const route = await backend.app.inject({ method: "GET", url: "/admin/users" });
    expect(route.body).toContain("<title>pane</title>");
  });

  it("never serves a file outside the pane folder, and leaves unknown API paths to the 404 handler", async () => {
    for (const url of ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2f..%2fetc%2fpasswd"]) {
      const response = await backend.app.inject({ method: "GET", url });
      expect(response.body, url).not.toContain("root:");
    }
    expect((await backend.app.inject({ method: "GET", url: "/assets/missing.js" })).statusCode).toBe(404);
    for (const url of ["/server/main.js", "/.vite/manifest.json"]) {
      expect((await backend.app.inject({ method: "GET", url })).statusCode, url).toBe(404);
    }
    // Fastify refuses a malformed percent-encoding itself, before any file lookup.
    expect((await backend.app.inject({ method: "GET", url: "/%E0%A4%A" })).statusCode).toBe(400);
    const api = await backend.app.inject({ method: "GET", url: "/api/nope" });
    expect(api.statusCode).toBe(404);
    expect(api.headers["content-type"]).toContain("application/problem+json");
  });
});

describe("the verified-token cache", () => {
  it("stops accepting a cached token once it expires, on the sign-in hook's fast path too", async () => {
    const issuer = await createTestIssuer();
    const verifier = createTokenVerifier({
      issuers: [issuer.issuer],
      audience: [issuer.audience],
      algorithms: ["RS256"],
      jwksUri: null,
      keySetFor: issuer.keySetFor,
      clockToleranceSeconds: 0,
    });
    const cached = await createTestBackend({ deps: { tokenVerifier: verifier } });
    try {
      const token = await issuer.mint({ email: "short@contoso.com" }, { expiresIn: 1 });
      const me = () =>
        cached.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${token}` } });
      expect(verifier.known?.(token)).toBeNull();
      expect((await me()).statusCode).toBe(200);
      // Verified once: later calls are answered from the cache, without a signature check.
      expect(verifier.known?.(token)).toMatchObject({ email: "short@contoso.com" });
      expect(verifier.known?.(`${token}x`)).toBeNull();
      expect((await me()).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(verifier.known?.(token)).toBeNull();
      const late = await me();
      expect(late.statusCode).toBe(401);
      expect(late.json().detail).toMatch(/expired/);
      await expect(verifier.verify(token)).rejects.toThrow(/expired/);
    } finally {
      await cached.close();
    }
  });
});
