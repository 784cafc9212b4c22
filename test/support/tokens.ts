/**
 * A local token issuer for tests: an RSA key pair (jose), its JWKS, and helpers that mint valid, expired,
 * not-yet-valid, wrong-audience, wrong-issuer, forged and `alg: none` tokens. Apps under test verify with
 * `issuer.keySetFor` (an injected key set), or download the JWKS over HTTPS from `serveJwks()`.
 */
import { createServer, type Server } from "node:https";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import { generate } from "selfsigned";

export const TEST_ISSUER = "https://login.test.invalid/test-tenant/v2.0";
export const TEST_AUDIENCE = "api://sync-sidebar-test";
export const TEST_TENANT_ID = "0b7e8c3a-1f2d-4e5a-9b6c-7d8e9f0a1b2c";

export interface TokenClaims {
  email: string;
  name?: string;
  /** Defaults to a stable id derived from the email. */
  oid?: string;
  tid?: string | null;
  [claim: string]: unknown;
}

export interface MintOptions {
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for an expired token. Default 3600. */
  expiresIn?: number;
  /** Seconds from now for nbf. */
  notBefore?: number;
  kid?: string;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export interface TestIssuer {
  issuer: string;
  audience: string;
  tenantId: string;
  jwks(): JSONWebKeySet;
  /** Pass to buildApp's deps: verifies against this issuer's current keys. */
  keySetFor: (issuer: string) => JWTVerifyGetKey;
  mint(claims: TokenClaims, options?: MintOptions): Promise<string>;
  expired(claims: TokenClaims): Promise<string>;
  notYetValid(claims: TokenClaims): Promise<string>;
  wrongAudience(claims: TokenClaims): Promise<string>;
  wrongIssuer(claims: TokenClaims): Promise<string>;
  /** Signed by a key the issuer never published, under the published kid. */
  forged(claims: TokenClaims): Promise<string>;
  /** An unsecured JWT (alg: none, empty signature). */
  algNone(claims: TokenClaims): string;
  /** A valid token whose payload was edited after signing (e.g. another email). */
  tampered(claims: TokenClaims, edit: Record<string, unknown>): Promise<string>;
  /** Adds a new signing key (published in the JWKS) and makes it the one mint() uses. */
  rotateKey(): Promise<string>;
}

export async function createTestIssuer(
  options: { issuer?: string; audience?: string; tenantId?: string } = {},
): Promise<TestIssuer> {
  const issuer = options.issuer ?? TEST_ISSUER;
  const audience = options.audience ?? TEST_AUDIENCE;
  const tenantId = options.tenantId ?? TEST_TENANT_ID;
  const keys: SigningKey[] = [await signingKey("test-key-1")];
  const stranger = await signingKey("test-key-1");
  const current = () => keys[keys.length - 1]!;
  const jwks = (): JSONWebKeySet => ({ keys: keys.map((k) => k.publicJwk) });
  // One local key set, rebuilt when a key is added, so verifiers that cache keySetFor() see rotations.
  let localKeySet = createLocalJWKSet(jwks());

  function payload(claims: TokenClaims): Record<string, unknown> {
    const { email, name, oid, tid, ...rest } = claims;
    return {
      preferred_username: email,
      name: name ?? email.split("@")[0],
      oid: oid ?? `oid-${Buffer.from(email.toLowerCase()).toString("hex").slice(0, 24)}`,
      ...(tid === null ? {} : { tid: tid ?? tenantId }),
      ...rest,
    };
  }

  async function sign(claims: TokenClaims, key: SigningKey, mint: MintOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(payload(claims))
      .setProtectedHeader({ alg: "RS256", kid: mint.kid ?? key.kid, typ: "JWT" })
      .setIssuer(mint.issuer ?? issuer)
      .setAudience(mint.audience ?? audience)
      .setSubject(`sub-${claims.email.toLowerCase()}`)
      .setIssuedAt(now - 5)
      .setExpirationTime(now + (mint.expiresIn ?? 3600));
    if (mint.notBefore !== undefined) jwt.setNotBefore(now + mint.notBefore);
    return jwt.sign(key.privateKey);
  }

  return {
    issuer,
    audience,
    tenantId,
    jwks,
    keySetFor: () => (header, token) => localKeySet(header, token),
    mint: (claims, mint) => sign(claims, current(), mint),
    expired: (claims) => sign(claims, current(), { expiresIn: -600 }),
    notYetValid: (claims) => sign(claims, current(), { notBefore: 600 }),
    wrongAudience: (claims) => sign(claims, current(), { audience: "api://someone-else" }),
    wrongIssuer: (claims) => sign(claims, current(), { issuer: "https://evil.test.invalid/v2.0" }),
    forged: (claims) => sign(claims, stranger, { kid: current().kid }),
    algNone: (claims) => {
      const now = Math.floor(Date.now() / 1000);
      const body = { ...payload(claims), iss: issuer, aud: audience, sub: claims.email, iat: now, exp: now + 3600 };
      return `${base64url({ alg: "none", typ: "JWT" })}.${base64url(body)}.`;
    },
    tampered: async (claims, edit) => {
      const [header, body, signature] = (await sign(claims, current())).split(".");
      const decoded = JSON.parse(Buffer.from(body!, "base64url").toString("utf8")) as Record<string, unknown>;
      return `${header}.${base64url({ ...decoded, ...edit })}.${signature}`;
    },
    rotateKey: async () => {
      const next = await signingKey(`test-key-${keys.length + 1}`);
      keys.push(next);
      localKeySet = createLocalJWKSet(jwks());
      return next.kid;
    },
  };
}

export interface JwksServer {
  /** https://127.0.0.1:<port>/jwks */
  jwksUri: string;
  /** https://127.0.0.1:<port>: any path under it ending in /.well-known/openid-configuration names jwksUri. */
  origin: string;
  /** The self-signed certificate, to trust with OUTBOUND_CA_FILE. */
  caFile: string;
  /** How many times the JWKS was downloaded. */
  fetches(): number;
  close(): Promise<void>;
}

/** Serves the issuer's JWKS over HTTPS on an ephemeral loopback port (a self-signed certificate for 127.0.0.1). */
export async function serveJwks(issuer: TestIssuer): Promise<JwksServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "jwks-"));
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  const caFile = path.join(dir, "ca.pem");
  await writeFile(caFile, pems.cert);
  let count = 0;
  let origin = "";
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    if (request.url?.endsWith("/.well-known/openid-configuration")) {
      const issuerUrl = origin + request.url.replace("/.well-known/openid-configuration", "");
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ issuer: issuerUrl, jwks_uri: `${origin}/jwks` }));
      return;
    }
    if (request.url !== "/jwks") {
      response.writeHead(404).end();
      return;
    }
    count += 1;
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(issuer.jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `https://127.0.0.1:${port}`;
  return {
    jwksUri: `${origin}/jwks`,
    origin,
    caFile,
    fetches: () => count,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
