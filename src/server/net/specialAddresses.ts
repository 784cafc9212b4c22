/**
 * Every range of the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890; registry state of 2025,
 * with RFC 9602 SRv6 SIDs, RFC 9637 3fff::/20 and RFC 9780 100:0:0:1::/64), plus the ranges outside them an SSRF
 * guard must know (multicast, IPv4-compatible and IPv4-translated IPv6, deprecated site-local, IPv6 space outside
 * global unicast 2000::/3) and cloud metadata endpoints. Classification is longest-prefix match over this table.
 * Forms that embed an IPv4 address (mapped, compatible, translated, NAT64 well-known and local-use, 6to4, Teredo's
 * obfuscated client) are judged by that IPv4 address: an IPv6 form never reaches what its IPv4 address may not.
 * Ranges the registry marks globally reachable (anycast services such as AS112 or PCP) are still refused: no
 * Exchange server or identity provider lives there, so allowing them would only widen what a URL can reach.
 */
import { isIP } from "node:net";

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link_local"
  | "unique_local"
  | "metadata"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "reserved";

/** Where an IPv6 range carries an IPv4 address: the 32 bits from `word` (0-7, 16-bit words), XOR-ed with `xor`. */
interface Embedding {
  word: number;
  xor?: number;
  /** The class when the embedded IPv4 address is public (e.g. a deprecated form nobody routes). */
  whenPublic: AddressClass;
}

export interface SpecialRange {
  cidr: string;
  name: string;
  source: string;
  kind: AddressClass;
  /** The registry's "Globally Reachable" column (null: N/A or not in the special-purpose registry). */
  globallyReachable: boolean | null;
  embedsIpv4?: Embedding;
}

const v4 = (cidr: string, name: string, source: string, kind: AddressClass, reachable: boolean | null = false) =>
  ({ cidr, name, source, kind, globallyReachable: reachable }) satisfies SpecialRange;

export const IPV4_SPECIAL_RANGES: readonly SpecialRange[] = [
  v4("0.0.0.0/0", "public IPv4", "IANA IPv4 Address Space", "public", true),
  v4("0.0.0.0/8", '"This network"', "RFC 791", "unspecified"),
  v4("0.0.0.0/32", '"This host on this network"', "RFC 1122", "unspecified"),
  v4("10.0.0.0/8", "Private-Use", "RFC 1918", "private"),
  v4("100.64.0.0/10", "Shared Address Space", "RFC 6598", "private"),
  v4("127.0.0.0/8", "Loopback", "RFC 1122", "loopback"),
  v4("169.254.0.0/16", "Link Local", "RFC 3927", "link_local"),
  v4("172.16.0.0/12", "Private-Use", "RFC 1918", "private"),
  v4("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890", "reserved"),
  v4("192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", "reserved"),
  v4("192.0.0.8/32", "IPv4 dummy address", "RFC 7600", "reserved"),
  v4("192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", "reserved", true),
  v4("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", "reserved", true),
  v4("192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880", "reserved"),
  v4("192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880", "reserved"),
  v4("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", "reserved"),
  v4("192.31.196.0/24", "AS112-v4", "RFC 7535", "reserved", true),
  v4("192.52.193.0/24", "AMT", "RFC 7450", "reserved", true),
  v4("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", "reserved", null),
  v4("192.168.0.0/16", "Private-Use", "RFC 1918", "private"),
  v4("192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", "reserved", true),
  v4("198.18.0.0/15", "Benchmarking", "RFC 2544", "reserved"),
  v4("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", "reserved"),
  v4("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", "reserved"),
  v4("224.0.0.0/4", "Multicast", "RFC 5771 (IPv4 Multicast Address Space)", "multicast", null),
  v4("240.0.0.0/4", "Reserved", "RFC 1112", "reserved"),
  v4("255.255.255.255/32", "Limited Broadcast", "RFC 919", "broadcast"),
  // Cloud instance metadata and platform endpoints: refused even where their range is allowed.
  v4("169.254.169.254/32", "cloud instance metadata (AWS, Azure, GCP, OCI, …)", "vendor", "metadata", null),
  v4("169.254.170.2/32", "AWS ECS task metadata", "vendor", "metadata", null),
  v4("100.100.100.200/32", "Alibaba Cloud metadata", "vendor", "metadata", null),
  v4("168.63.129.16/32", "Azure platform (WireServer)", "vendor", "metadata", null),
];

const v6 = (
  cidr: string,
  name: string,
  source: string,
  kind: AddressClass,
  reachable: boolean | null = false,
  embedsIpv4?: Embedding,
): SpecialRange => ({ cidr, name, source, kind, globallyReachable: reachable, ...(embedsIpv4 ? { embedsIpv4 } : {}) });

export const IPV6_SPECIAL_RANGES: readonly SpecialRange[] = [
  v6("::/0", "outside global unicast (reserved by the IETF)", "IANA IPv6 Address Space", "reserved", null),
  v6("2000::/3", "Global Unicast", "IANA IPv6 Address Space", "public", true),
  v6("::1/128", "Loopback Address", "RFC 4291", "loopback"),
  v6("::/128", "Unspecified Address", "RFC 4291", "unspecified"),
  v6("::/96", "IPv4-compatible address, deprecated", "RFC 4291", "reserved", null, { word: 6, whenPublic: "reserved" }),
  v6("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291", "reserved", false, { word: 6, whenPublic: "public" }),
  v6("::ffff:0:0:0/96", "IPv4-translated address, SIIT", "RFC 2765", "reserved", null, {
    word: 6,
    whenPublic: "reserved",
  }),
  v6("64:ff9b::/96", "IPv4-IPv6 Translat., NAT64 well-known prefix", "RFC 6052", "reserved", true, {
    word: 6,
    whenPublic: "public",
  }),
  v6("64:ff9b:1::/48", "IPv4-IPv6 Translat., local-use NAT64", "RFC 8215", "private", false, {
    word: 6,
    whenPublic: "private",
  }),
  v6("100::/64", "Discard-Only Address Block", "RFC 6666", "reserved"),
  v6("100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", "reserved"),
  v6("2001::/23", "IETF Protocol Assignments", "RFC 2928", "reserved"),
  v6("2001::/32", "TEREDO", "RFC 4380", "reserved", null, { word: 6, xor: 0xffffffff, whenPublic: "reserved" }),
  v6("2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", "reserved", true),
  v6("2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", "reserved", true),
  v6("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", "reserved", true),
  v6("2001:2::/48", "Benchmarking", "RFC 5180", "reserved"),
  v6("2001:3::/32", "AMT", "RFC 7450", "reserved", true),
  v6("2001:4:112::/48", "AS112-v6", "RFC 7535", "reserved", true),
  v6("2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843", "reserved"),
  v6("2001:20::/28", "ORCHIDv2", "RFC 7343", "reserved", true),
  v6("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", "reserved", true),
  v6("2001:db8::/32", "Documentation", "RFC 3849", "reserved"),
  v6("2002::/16", "6to4", "RFC 3056", "reserved", null, { word: 1, whenPublic: "public" }),
  v6("2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", "reserved", true),
  v6("3fff::/20", "Documentation", "RFC 9637", "reserved"),
  v6("5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602", "reserved"),
  v6("fc00::/7", "Unique-Local", "RFC 4193", "unique_local"),
  v6("fe80::/10", "Link-Local Unicast", "RFC 4291", "link_local"),
  v6("fec0::/10", "Site-Local, deprecated", "RFC 3879", "private", null),
  v6("ff00::/8", "Multicast", "RFC 4291", "multicast", null),
  v6("fd00:ec2::254/128", "AWS instance metadata (IPv6)", "vendor", "metadata", null),
];

/** An address as an unsigned big integer of 32 (IPv4) or 128 (IPv6) bits. */
function ipv4Bits(address: string): bigint {
  return address.split(".").reduce((bits, octet) => (bits << 8n) | BigInt(Number(octet)), 0n);
}

/** An IPv6 literal (no brackets or zone) as a 128-bit integer. */
export function ipv6Bits(address: string): bigint {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const bits = ipv4Bits(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(bits >> 16n).toString(16)}:${(bits & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headWords = head === "" ? [] : head.split(":");
  const tailWords = tail === undefined || tail === "" ? [] : tail.split(":");
  const words = [...headWords, ...Array<string>(8 - headWords.length - tailWords.length).fill("0"), ...tailWords];
  return words.reduce((bits, word) => (bits << 16n) | BigInt(parseInt(word, 16)), 0n);
}

interface CompiledRange {
  range: SpecialRange;
  network: bigint;
  prefix: number;
}

function compile(ranges: readonly SpecialRange[], width: number, bitsOf: (address: string) => bigint) {
  return ranges
    .map((range): CompiledRange => {
      const [network = "", prefix = ""] = range.cidr.split("/");
      return { range, network: bitsOf(network), prefix: Number(prefix) };
    })
    .sort((a, b) => b.prefix - a.prefix)
    .map((entry) => ({ ...entry, width }));
}

const IPV4 = compile(IPV4_SPECIAL_RANGES, 32, ipv4Bits);
const IPV6 = compile(IPV6_SPECIAL_RANGES, 128, ipv6Bits);

function longestMatch(table: typeof IPV4, bits: bigint): SpecialRange {
  for (const { range, network, prefix, width } of table) {
    const shift = BigInt(width - prefix);
    if (bits >> shift === network >> shift) return range;
  }
  throw new Error("the table's default route matches every address");
}

function dotted(bits: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => Number((bits >> shift) & 0xffn)).join(".");
}

export interface AddressVerdict {
  kind: AddressClass;
  /** The most specific registry range the address falls in. */
  range: SpecialRange;
  /** The IPv4 address an IPv6 form embeds, when it does. */
  embeddedIpv4: string | null;
  /** The embedded IPv4 address's own range. */
  embeddedRange: SpecialRange | null;
}

/** Classifies an IPv4 or IPv6 literal (brackets and zone ids allowed); null when it is not an IP address. */
export function describeAddress(address: string): AddressVerdict | null {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) {
    const range = longestMatch(IPV4, ipv4Bits(bare));
    return { kind: range.kind, range, embeddedIpv4: null, embeddedRange: null };
  }
  if (family !== 6) return null;
  const bits = ipv6Bits(bare.toLowerCase());
  const range = longestMatch(IPV6, bits);
  if (!range.embedsIpv4) return { kind: range.kind, range, embeddedIpv4: null, embeddedRange: null };
  const { word, xor = 0, whenPublic } = range.embedsIpv4;
  const embedded = ((bits >> BigInt(16 * (6 - word))) & 0xffffffffn) ^ BigInt(xor);
  const embeddedIpv4 = dotted(embedded);
  const embeddedRange = longestMatch(IPV4, embedded);
  const kind = embeddedRange.kind === "public" ? whenPublic : embeddedRange.kind;
  return { kind, range, embeddedIpv4, embeddedRange };
}

/** The IPv4 address an IPv6 literal embeds (mapped, compatible, translated, NAT64, 6to4, Teredo), or null. */
export function embeddedIpv4(address: string): string | null {
  return describeAddress(address)?.embeddedIpv4 ?? null;
}
