/**
 * Verifies bearer tokens with jose: the issuer must be configured (exactly, or an Entra "{tenantid}" template
 * matched against the token's tid), the signature must check against that issuer's JWKS (cached; an unknown kid
 * triggers a refetch), and audience, expiry, not-before and an asymmetric algorithm are enforced. Decoding a token
 * without verifying it is used only to pick the issuer's key set.
 */
import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { GUID_SOURCE } from "../../contract/identifiers.js";
import type { OutboundFetch } from "../net/outbound.js";

export interface Identity {
  /** Stable subject: Entra object id (oid) when present, otherwise sub. */
  subject: string;
  email: string;
  name: string;
  tenantId: string | null;
  issuer: string;
}

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenError";
  }
}

/** The issuer's keys could not be fetched (network, timeout, discovery failure): not the caller's fault. */
export class KeySetUnavailableError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = "KeySetUnavailableError";
  }
}

export interface TokenVerifierOptions {
  issuers: readonly string[];
  audience: readonly string[];
  algorithms: readonly string[];
  /** One JWKS URL for every issuer; otherwise each issuer's discovery document names its jwks_uri. */
  jwksUri: string | null;
  /** Outbound client for discovery and JWKS downloads. */
  fetch?: OutboundFetch;
  /** Tests inject a key set per issuer instead of fetching one. */
  keySetFor?: (issuer: string) => JWTVerifyGetKey;
  clockToleranceSeconds?: number;
  /** Minimum time between JWKS downloads when an unknown kid shows up (jose's cooldown); default 30 s. */
  jwksCooldownMs?: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Which configured issuer (if any) accepts this token's iss and tid. */
export function matchIssuer(issuers: readonly string[], iss: string, tid: string | undefined): string | null {
  for (const issuer of issuers) {
    if (!/\{tenantid\}/i.test(issuer)) {
      if (issuer === iss) return issuer;
      continue;
    }
    const pattern = new RegExp(`^${escapeRegExp(issuer).replace(/\\\{tenantid\\\}/gi, `(${GUID_SOURCE})`)}$`, "i");
    const match = pattern.exec(iss);
    // The tenant in the issuer must be the token's own tenant, or any tenant could mint for another.
    if (match?.[1] && tid !== undefined && match[1].toLowerCase() === tid.toLowerCase()) return issuer;
  }
  return null;
}

function claimString(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

export function identityOf(payload: JWTPayload): Identity {
  const email =
    claimString(payload, "preferred_username") ?? claimString(payload, "email") ?? claimString(payload, "upn");
  const subject = claimString(payload, "oid") ?? payload.sub;
  if (!email || !email.includes("@")) throw new TokenError("token carries no preferred_username or email");
  if (!subject) throw new TokenError("token carries no oid or sub");
  return {
    subject,
    email: email.toLowerCase(),
    name: claimString(payload, "name") ?? email,
    tenantId: claimString(payload, "tid")?.toLowerCase() ?? null,
    issuer: payload.iss ?? "",
  };
}

export interface TokenVerifier {
  verify(token: string): Promise<Identity>;
  /**
   * The identity of exactly this token when it was verified before and has not expired since; null otherwise
   * (then call verify). Synchronous, so the sign-in hook answers most calls without a promise.
   */
  known?(token: string): Identity | null;
}

/** Verified tokens kept until they expire: the pane reuses one token for many calls, so most calls skip RSA. */
const VERIFIED_CACHE_MAX = 10_000;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keySets = new Map<string, JWTVerifyGetKey>();
  const verified = new Map<string, { identity: Identity; expiresAtMs: number }>();
  const discovered = new Map<string, Promise<string>>();
  const fetchImpl = options.fetch;

  async function discoverJwksUri(issuer: string): Promise<string> {
    const discoveryBase = issuer.replace(/\{tenantid\}/gi, "common").replace(/\/$/, "");
    if (!fetchImpl) throw new TokenError("no outbound client to discover the issuer's keys");
    const response = await fetchImpl(`${discoveryBase}/.well-known/openid-configuration`);
    if (!response.ok) throw new TokenError(`issuer discovery failed with HTTP ${response.status}`);
    const document = (await response.json()) as { jwks_uri?: unknown };
    if (typeof document.jwks_uri !== "string") throw new TokenError("issuer discovery named no jwks_uri");
    return document.jwks_uri;
  }

  async function keySet(issuer: string): Promise<JWTVerifyGetKey> {
    const cached = keySets.get(issuer);
    if (cached) return cached;
    if (options.keySetFor) {
      const injected = options.keySetFor(issuer);
      keySets.set(issuer, injected);
      return injected;
    }
    let uri = options.jwksUri;
    if (uri === null) {
      let pending = discovered.get(issuer);
      if (!pending) {
        pending = discoverJwksUri(issuer);
        discovered.set(issuer, pending);
        // A failed discovery is retried on the next request rather than cached forever.
        pending.catch(() => discovered.delete(issuer));
      }
      uri = await pending;
    }
    const remote = createRemoteJWKSet(new URL(uri), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      ...(fetchImpl ? { [customFetch]: fetchImpl as never } : {}),
    });
    keySets.set(issuer, remote);
    return remote;
  }

  function known(token: string): Identity | null {
    const hit = verified.get(token);
    if (!hit) return null;
    // Expiry is still enforced on every call, with the same tolerance as the full verification.
    if (hit.expiresAtMs + (options.clockToleranceSeconds ?? 30) * 1000 > Date.now()) return hit.identity;
    verified.delete(token);
    return null;
  }

  return {
    known,

    async verify(token: string): Promise<Identity> {
      const hit = known(token);
      if (hit) return hit;
      let unverified: JWTPayload;
      try {
        unverified = decodeJwt(token);
      } catch {
        throw new TokenError("token is not a well-formed JWT");
      }
      if (typeof unverified.iss !== "string") throw new TokenError("token has no issuer");
      const issuer = matchIssuer(options.issuers, unverified.iss, claimString(unverified, "tid"));
      if (!issuer) throw new TokenError("token issuer is not trusted");
      let keys: JWTVerifyGetKey;
      try {
        keys = await keySet(issuer);
      } catch (error) {
        throw new KeySetUnavailableError("the issuer's signing keys could not be discovered", { cause: error });
      }
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: unverified.iss,
          audience: [...options.audience],
          algorithms: [...options.algorithms],
          clockTolerance: options.clockToleranceSeconds ?? 30,
          requiredClaims: ["exp"],
        });
        const identity = identityOf(payload);
        if (verified.size >= VERIFIED_CACHE_MAX) verified.delete(verified.keys().next().value!);
        verified.set(token, { identity, expiresAtMs: (payload.exp ?? 0) * 1000 });
        return identity;
      } catch (error) {
        if (error instanceof TokenError) throw error;
        // A timeout, a network failure or a non-200 JWKS answer (jose's generic error) is the issuer's outage.
        const unavailable =
          error instanceof joseErrors.JWKSTimeout ||
          !(error instanceof joseErrors.JOSEError) ||
          error.code === "ERR_JOSE_GENERIC";
        if (unavailable) {
          throw new KeySetUnavailableError("the issuer's signing keys could not be fetched", { cause: error });
        }
        throw new TokenError(describeJoseError(error));
      }
    },
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof TokenError) return error.message;
  if (error instanceof joseErrors.JWTExpired) return "token has expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "token is not valid yet";
    if (error.claim === "aud") return "token audience is not this API";
    return `token claim ${error.claim} is invalid`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "token algorithm is not allowed";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "token signature is invalid";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "token signing key is unknown";
  if (error instanceof joseErrors.JOSENotSupported) return "token algorithm is not supported";
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return "token is malformed";
  return "token could not be verified";
}
