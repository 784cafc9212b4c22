/**
 * The lab's token signing key and the verification every resource server (EWS, Graph, Autodiscover) applies.
 * One RSA key signs ID and access tokens; the CLI persists it under ./data/lab/ so `npm run lab:token` can mint tokens
 * the running lab accepts.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, jwtVerify } from "jose";
import type { JWK, JWTPayload, KeyObject } from "jose";

export interface SigningKey {
  /** Private JWK with kid/alg/use, as oidc-provider's `jwks` option takes it. */
  privateJwk: JWK & { kid: string };
  publicJwk: JWK & { kid: string };
  privateKey: KeyObject | CryptoKey;
  publicKey: KeyObject | CryptoKey;
}

async function fromPrivateJwk(privateJwk: JWK & { kid: string }): Promise<SigningKey> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicPart } = privateJwk;
  const publicJwk = { ...publicPart, kid: privateJwk.kid };
  return {
    privateJwk,
    publicJwk,
    privateKey: (await importJWK(privateJwk, "RS256")) as KeyObject | CryptoKey,
    publicKey: (await importJWK(publicJwk, "RS256")) as KeyObject | CryptoKey,
  };
}

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return fromPrivateJwk({ ...jwk, kid, alg: "RS256", use: "sig" });
}

/** Reads the key persisted in `file`, or creates and persists one (mode 0600). */
export async function loadOrCreateSigningKey(file: string): Promise<SigningKey> {
  try {
    const jwk = JSON.parse(await readFile(file, "utf8")) as JWK & { kid?: string };
    if (jwk.kty === "RSA" && typeof jwk.kid === "string" && jwk.d)
      return await fromPrivateJwk({ ...jwk, kid: jwk.kid });
  } catch {
    // Missing or unreadable: a new key replaces it below.
  }
  const key = await createSigningKey();
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(key.privateJwk), { mode: 0o600 });
  await rename(temp, file);
  return key;
}

export async function readSigningKey(file: string): Promise<SigningKey> {
  const jwk = JSON.parse(await readFile(file, "utf8")) as JWK & { kid?: string };
  if (typeof jwk.kid !== "string") throw new Error(`${file} holds no signing key`);
  return fromPrivateJwk({ ...jwk, kid: jwk.kid });
}

export interface EntraClaims extends JWTPayload {
  tid?: string;
  oid?: string;
  preferred_username?: string;
  name?: string;
  scp?: string;
  roles?: string[];
  azp?: string;
  appid?: string;
  ver?: string;
}

/** Verifies a lab-issued JWT (signature, issuer, lifetime) and returns its claims; throws with a reason otherwise. */
export async function verifyLabToken(key: SigningKey, issuer: string, token: string): Promise<EntraClaims> {
  const { payload } = await jwtVerify<EntraClaims>(token, key.publicKey, {
    issuer,
    algorithms: ["RS256"],
    clockTolerance: 5,
  });
  return payload;
}

export interface MintRequest {
  issuer: string;
  tenantId: string;
  audience: string;
  clientId: string;
  lifetimeSeconds: number;
  /** Delegated tokens carry a user and scp; app-only tokens carry roles. */
  user?: { oid: string; email: string; name: string };
  scp?: string;
  roles?: string[];
}

/** Mints an Entra v2-shaped access token outside the OAuth flows (for scripts, tests and `npm run lab:token`). */
export async function mintAccessToken(key: SigningKey, request: MintRequest): Promise<string> {
  const claims: EntraClaims = {
    tid: request.tenantId,
    ver: "2.0",
    azp: request.clientId,
    appid: request.clientId,
  };
  if (request.user) {
    claims.oid = request.user.oid;
    claims.preferred_username = request.user.email;
    claims.name = request.user.name;
    claims.scp = request.scp ?? "";
  } else {
    claims.roles = request.roles ?? [];
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: key.privateJwk.kid, typ: "JWT" })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setSubject(request.user?.oid ?? request.clientId)
    .setIssuedAt()
    .setNotBefore("0s")
    .setJti(randomUUID())
    .setExpirationTime(`${request.lifetimeSeconds}s`)
    .sign(key.privateKey);
}
