/**
 * The outbound URL guard: which URLs and addresses the server may call. Pure functions (the resolver is passed in)
 * so every case is testable without a network. https only, no credentials in the URL, and no address of an IANA
 * special-purpose range (loopback, private, link-local, ULA, documentation, …; IPv6 forms judged by the IPv4 address
 * they embed) unless the deployment allows that host or range explicitly; cloud metadata never.
 */
import { BlockList, isIP } from "node:net";
import { describeAddress, type AddressClass } from "./specialAddresses.js";

export interface HostOverride {
  address: string;
  port: number | null;
}

export interface OutboundPolicy {
  allowPrivateCidrs: readonly string[];
  allowedHosts: readonly string[];
  hostOverrides: Readonly<Record<string, HostOverride>>;
}

export type GuardRule = "invalid_url" | "https_only" | "no_credentials" | "blocked_address" | "unresolvable";
export type GuardVerdict = { ok: true } | { ok: false; rule: GuardRule; reason: string };

export type { AddressClass } from "./specialAddresses.js";

/** The address's class in the IANA special-purpose registries (src/server/net/specialAddresses.ts). */
export function classifyAddress(address: string): AddressClass {
  return describeAddress(address)?.kind ?? "reserved";
}

function cidrList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = "", prefix = ""] = cidr.split("/");
    const family = isIP(network);
    if (family === 0) continue;
    list.addSubnet(network, Number(prefix), family === 4 ? "ipv4" : "ipv6");
  }
  return list;
}

const cidrCache = new WeakMap<readonly string[], BlockList>();

/** May the server connect to `address`, reached by resolving `hostname`? */
export function checkAddress(address: string, hostname: string, policy: OutboundPolicy): GuardVerdict {
  const bare = address.replace(/^\[|\]$/g, "");
  const verdict = describeAddress(bare);
  const kind = verdict?.kind ?? "reserved";
  if (kind === "public") return { ok: true };
  const v4 = verdict?.embeddedIpv4 ?? null;
  const embedding = v4 === null ? "" : ` (${verdict?.range.name ?? "IPv6"}: embeds ${v4})`;
  const blocked = (why: string): GuardVerdict => ({
    ok: false,
    rule: "blocked_address",
    reason: `${hostname} resolves to ${bare}${embedding}, ${why}`,
  });
  if (kind === "metadata") return blocked("a cloud metadata address, which is never allowed");
  if (kind === "unspecified" || kind === "multicast" || kind === "broadcast") return blocked(`a ${kind} address`);
  const host = hostname.toLowerCase();
  if (policy.hostOverrides[host]?.address === bare) return { ok: true };
  if (policy.allowedHosts.includes(host)) return { ok: true };
  let allowed = cidrCache.get(policy.allowPrivateCidrs);
  if (!allowed) {
    allowed = cidrList(policy.allowPrivateCidrs);
    cidrCache.set(policy.allowPrivateCidrs, allowed);
  }
  const probe = v4 ?? bare;
  if (allowed.check(probe, isIP(probe) === 4 ? "ipv4" : "ipv6")) return { ok: true };
  return blocked(
    `a ${kind.replace("_", "-")} address; allow it with OUTBOUND_ALLOWED_HOSTS or OUTBOUND_ALLOW_PRIVATE if this deployment needs it`,
  );
}

/** Shape rules that need no resolution: a parseable https URL without user name or password. */
export function checkUrlShape(raw: string): GuardVerdict & { url?: URL } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, rule: "invalid_url", reason: "must be an absolute URL" };
  }
  if (url.protocol !== "https:") return { ok: false, rule: "https_only", reason: "must use https://" };
  if (url.username !== "" || url.password !== "") {
    return { ok: false, rule: "no_credentials", reason: "must not carry a user name or password" };
  }
  if (url.hostname === "") return { ok: false, rule: "invalid_url", reason: "must name a host" };
  return { ok: true, url };
}

export type Resolver = (hostname: string) => Promise<string[]>;

export function hostnameOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

/**
 * Full check of a URL: its shape, then every address its host resolves to (an override replaces resolution).
 * All addresses must pass, since the connection may use any of them.
 */
export async function guardUrl(raw: string, policy: OutboundPolicy, resolve: Resolver): Promise<GuardVerdict> {
  const shape = checkUrlShape(raw);
  if (!shape.ok || !shape.url) return shape.ok ? { ok: false, rule: "invalid_url", reason: "is not a URL" } : shape;
  const hostname = hostnameOf(shape.url);
  const override = policy.hostOverrides[hostname];
  let addresses: string[];
  if (override) addresses = [override.address];
  else if (isIP(hostname) !== 0) addresses = [hostname];
  else {
    try {
      addresses = await resolve(hostname);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) {
      return { ok: false, rule: "unresolvable", reason: `host ${hostname} could not be resolved` };
    }
  }
  for (const address of addresses) {
    const verdict = checkAddress(address, hostname, policy);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}
