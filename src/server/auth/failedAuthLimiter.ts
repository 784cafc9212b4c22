/**
 * Failed sign-ins per client address. The rate limiter runs after sign-in (its budget belongs to the token's
 * subject), so a request without a valid token was answered before any budget applied: 700 forged tokens got
 * 700 × 401. This counts missing and refused tokens per client address (request.ip, which the TRUST_PROXY setting
 * derives from X-Forwarded-For only for trusted proxies) in a fixed window; over the limit, every request of that
 * address that needs a fresh token verification gets 429 with Retry-After until the window ends. A token verified
 * before still passes, so a signed-in user behind the same NAT as an attacker keeps working.
 * IPv6 clients are counted per /64: one host can pick any address of its /64 for each request.
 */
import { isIP } from "node:net";
import { HttpError } from "../errors.js";
import { ipv6Bits } from "../net/specialAddresses.js";

export interface FailedAuthLimiter {
  /** Seconds until `address` may try again; 0 when it is within its budget. */
  retryAfterSeconds(address: string): number;
  /** Counts one failed sign-in (missing, malformed or refused token) for `address`. */
  recordFailure(address: string): void;
}

interface Window {
  failures: number;
  endsAt: number;
}

export interface FailedAuthLimits {
  max: number;
  windowMs: number;
  now?: () => number;
  /** Addresses remembered at most; expired windows go first, then the oldest. */
  maxAddresses?: number;
}

export function createFailedAuthLimiter(limits: FailedAuthLimits): FailedAuthLimiter {
  const now = limits.now ?? Date.now;
  const maxAddresses = limits.maxAddresses ?? 50_000;
  const windows = new Map<string, Window>();

  function prune(at: number): void {
    for (const [address, window] of windows) if (window.endsAt <= at) windows.delete(address);
    for (const address of windows.keys()) {
      if (windows.size < maxAddresses) break;
      windows.delete(address);
    }
  }

  return {
    retryAfterSeconds(address) {
      const window = windows.get(address);
      const at = now();
      if (!window || window.endsAt <= at || window.failures < limits.max) return 0;
      return Math.max(1, Math.ceil((window.endsAt - at) / 1000));
    },
    recordFailure(address) {
      const at = now();
      const window = windows.get(address);
      if (window && window.endsAt > at) {
        window.failures += 1;
        return;
      }
      if (windows.size >= maxAddresses) prune(at);
      windows.set(address, { failures: 1, endsAt: at + limits.windowMs });
    },
  };
}

/** The key a client address is counted under: an IPv4 address as is (also IPv4-mapped), an IPv6 address by /64. */
export function clientKeyOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIP(address) !== 6) return address;
  const prefix = ipv6Bits(address.replace(/%.*$/, "").toLowerCase()) >> 64n;
  return `${prefix.toString(16).padStart(16, "0")}/64`;
}

export function tooManyFailedSignIns(retryAfterSeconds: number): HttpError {
  return new HttpError(
    429,
    "Too Many Requests",
    `Too many requests without a valid bearer token from this address; try again in ${retryAfterSeconds} s.`,
    undefined,
    { "retry-after": String(retryAfterSeconds) },
  );
}
