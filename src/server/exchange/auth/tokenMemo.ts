/**
 * Keeps the current access token in memory and shares one in-flight acquisition, so thousands of checks cost one
 * token request (and, for the delegated cache, one database read) per token lifetime.
 */
import type { Classified } from "../transport.js";

export type AcquiredToken =
  { ok: true; accessToken: string; expiresOn: Date | null } | { ok: false; classified: Classified };
export type TokenSource = (forceRefresh: boolean, signal: AbortSignal) => Promise<AcquiredToken>;

/** Renew this long before expiry so a token never expires mid-request. */
const EARLY_RENEWAL_MS = 5 * 60_000;

export function memoizedTokenSource(
  acquire: (forceRefresh: boolean) => Promise<AcquiredToken>,
  now: () => number = Date.now,
): TokenSource {
  let current: { accessToken: string; expiresAt: number } | null = null;
  let inFlight: Promise<AcquiredToken> | null = null;
  let inFlightForced = false;
  return async (forceRefresh) => {
    if (!forceRefresh && current !== null && current.expiresAt - EARLY_RENEWAL_MS > now()) {
      return { ok: true, accessToken: current.accessToken, expiresOn: new Date(current.expiresAt) };
    }
    // A forced refresh joins an in-flight forced one, but not a plain one that may return the rejected token.
    if (inFlight !== null && (!forceRefresh || inFlightForced)) return inFlight;
    const rejected = forceRefresh ? current?.accessToken : undefined;
    inFlightForced = forceRefresh;
    inFlight = acquire(forceRefresh)
      .then((token) => {
        if (token.ok && token.accessToken !== rejected) {
          current = {
            accessToken: token.accessToken,
            expiresAt: token.expiresOn?.getTime() ?? now() + EARLY_RENEWAL_MS * 2,
          };
        } else if (!token.ok) {
          current = null;
        }
        return token;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
}
