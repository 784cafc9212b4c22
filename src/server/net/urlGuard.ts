/**
 * The outbound URL guard: which URLs and addresses the server may call. Pure functions (the resolver is passed in)
 * so every case is testable without a network. https only, no credentials in the URL, and no loopback, private,
 * link-local, ULA or cloud-metadata address unless the deployment allows that host or range explicitly.
 */
import { BlockList, isIP } from "node:net";

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

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link_local"
  | "unique_local"
  | "metadata"
  | "unspecified"
  | "multicast"
  | "reserved";

/** Cloud instance-metadata endpoints: refused even when their range is allowed. */
const METADATA_ADDRESSES = new Set(["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"]);

function blockList(entries: ReadonlyArray<readonly [string, number, "ipv4" | "ipv6"]>): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of entries) list.addSubnet(network, prefix, family);
  return list;
}

const RANGES: ReadonlyArray<readonly [Exclude<AddressClass, "public" | "metadata">, BlockList]> = [
  [
    "unspecified",
    blockList([
      ["0.0.0.0", 8, "ipv4"],
      ["::", 128, "ipv6"],
    ]),
  ],
  [
    "loopback",
    blockList([
      ["127.0.0.0", 8, "ipv4"],
      ["::1", 128, "ipv6"],
    ]),
  ],
  [
    "private",
    blockList([
      ["10.0.0.0", 8, "ipv4"],
      ["172.16.0.0", 12, "ipv4"],
      ["192.168.0.0", 16, "ipv4"],
      ["100.64.0.0", 10, "ipv4"],
    ]),
  ],
  [
    "link_local",
    blockList([
      ["169.254.0.0", 16, "ipv4"],
      ["fe80::", 10, "ipv6"],
    ]),
  ],
  ["unique_local", blockList([["fc00::", 7, "ipv6"]])],
  [
    "multicast",
    blockList([
      ["224.0.0.0", 4, "ipv4"],
      ["ff00::", 8, "ipv6"],
    ]),
  ],
  [
    "reserved",
    blockList([
      ["192.0.0.0", 24, "ipv4"],
      ["192.0.2.0", 24, "ipv4"],
      ["198.18.0.0", 15, "ipv4"],
      ["198.51.100.0", 24, "ipv4"],
      ["203.0.113.0", 24, "ipv4"],
      ["240.0.0.0", 4, "ipv4"],
      ["2001:db8::", 32, "ipv6"],
    ]),
  ],
];

/** An IPv4 address hidden in IPv6 (::ffff:a.b.c.d mapped, 64:ff9b::/96 NAT64) is judged as the IPv4 address. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join(".");
  }
  return null;
}

export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family === 0) return "reserved";
  const v4 = family === 6 ? embeddedIpv4(bare) : null;
  if (v4 !== null) return classifyAddress(v4);
  if (METADATA_ADDRESSES.has(bare.toLowerCase())) return "metadata";
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const [name, list] of RANGES) if (list.check(bare, type)) return name;
  return "public";
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
  const kind = classifyAddress(bare);
  if (kind === "public") return { ok: true };
  const blocked = (why: string): GuardVerdict => ({
    ok: false,
    rule: "blocked_address",
    reason: `${hostname} resolves to ${bare}, ${why}`,
  });
  if (kind === "metadata") return blocked("a cloud metadata address, which is never allowed");
  if (kind === "unspecified" || kind === "multicast") return blocked(`a ${kind} address`);
  const host = hostname.toLowerCase();
  if (policy.hostOverrides[host]?.address === bare) return { ok: true };
  if (policy.allowedHosts.includes(host)) return { ok: true };
  let allowed = cidrCache.get(policy.allowPrivateCidrs);
  if (!allowed) {
    allowed = cidrList(policy.allowPrivateCidrs);
    cidrCache.set(policy.allowPrivateCidrs, allowed);
  }
  const v4 = isIP(bare) === 6 ? embeddedIpv4(bare) : null;
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
