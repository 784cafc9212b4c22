/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries, row by row: an address at each end of every range,
 * the class the guard gives it and the registry row it is judged by, written out here independently of the
 * implementation's table; then every form that embeds an IPv4 address, judged by that address.
 */
import { describe, expect, it } from "vitest";
import {
  IPV4_SPECIAL_RANGES,
  IPV6_SPECIAL_RANGES,
  describeAddress,
  type AddressClass,
} from "../../../../src/server/net/specialAddresses.js";
import { checkAddress, guardUrl, type OutboundPolicy } from "../../../../src/server/net/urlGuard.js";

type Row = [address: string, kind: AddressClass, range: string];

const IPV4_REGISTRY: Row[] = [
  ["0.0.0.0", "unspecified", "0.0.0.0/32"],
  ["0.1.2.3", "unspecified", "0.0.0.0/8"],
  ["0.255.255.255", "unspecified", "0.0.0.0/8"],
  ["10.0.0.0", "private", "10.0.0.0/8"],
  ["10.255.255.255", "private", "10.0.0.0/8"],
  ["100.64.0.0", "private", "100.64.0.0/10"],
  ["100.127.255.255", "private", "100.64.0.0/10"],
  ["127.0.0.1", "loopback", "127.0.0.0/8"],
  ["127.255.255.255", "loopback", "127.0.0.0/8"],
  ["169.254.0.0", "link_local", "169.254.0.0/16"],
  ["169.254.255.255", "link_local", "169.254.0.0/16"],
  ["172.16.0.0", "private", "172.16.0.0/12"],
  ["172.31.255.255", "private", "172.16.0.0/12"],
  ["192.0.0.0", "reserved", "192.0.0.0/29"],
  ["192.0.0.7", "reserved", "192.0.0.0/29"],
  ["192.0.0.8", "reserved", "192.0.0.8/32"],
  ["192.0.0.9", "reserved", "192.0.0.9/32"],
  ["192.0.0.10", "reserved", "192.0.0.10/32"],
  ["192.0.0.170", "reserved", "192.0.0.170/32"],
  ["192.0.0.171", "reserved", "192.0.0.171/32"],
  ["192.0.0.255", "reserved", "192.0.0.0/24"],
  ["192.0.2.0", "reserved", "192.0.2.0/24"],
  ["192.0.2.255", "reserved", "192.0.2.0/24"],
  ["192.31.196.1", "reserved", "192.31.196.0/24"],
  ["192.52.193.1", "reserved", "192.52.193.0/24"],
  ["192.88.99.1", "reserved", "192.88.99.0/24"],
  ["192.168.0.0", "private", "192.168.0.0/16"],
  ["192.168.255.255", "private", "192.168.0.0/16"],
  ["192.175.48.1", "reserved", "192.175.48.0/24"],
  ["198.18.0.0", "reserved", "198.18.0.0/15"],
  ["198.19.255.255", "reserved", "198.18.0.0/15"],
  ["198.51.100.1", "reserved", "198.51.100.0/24"],
  ["203.0.113.1", "reserved", "203.0.113.0/24"],
  ["224.0.0.1", "multicast", "224.0.0.0/4"],
  ["239.255.255.255", "multicast", "224.0.0.0/4"],
  ["240.0.0.0", "reserved", "240.0.0.0/4"],
  ["255.255.255.254", "reserved", "240.0.0.0/4"],
  ["255.255.255.255", "broadcast", "255.255.255.255/32"],
  ["169.254.169.254", "metadata", "169.254.169.254/32"],
  ["169.254.170.2", "metadata", "169.254.170.2/32"],
  ["100.100.100.200", "metadata", "100.100.100.200/32"],
  ["168.63.129.16", "metadata", "168.63.129.16/32"],
  // Neighbours just outside special ranges stay public.
  ["52.96.166.130", "public", "0.0.0.0/0"],
  ["100.63.255.255", "public", "0.0.0.0/0"],
  ["100.128.0.0", "public", "0.0.0.0/0"],
  ["172.32.0.1", "public", "0.0.0.0/0"],
  ["192.0.1.1", "public", "0.0.0.0/0"],
  ["198.20.0.0", "public", "0.0.0.0/0"],
  ["223.255.255.255", "public", "0.0.0.0/0"],
];

const IPV6_REGISTRY: Row[] = [
  ["::1", "loopback", "::1/128"],
  ["::", "unspecified", "::/128"],
  ["100::", "reserved", "100::/64"],
  ["100::ffff:ffff:ffff:ffff", "reserved", "100::/64"],
  ["100:0:0:1::", "reserved", "100:0:0:1::/64"],
  ["2001:1::1", "reserved", "2001:1::1/128"],
  ["2001:1::2", "reserved", "2001:1::2/128"],
  ["2001:1::3", "reserved", "2001:1::3/128"],
  ["2001:1::4", "reserved", "2001::/23"],
  ["2001:1ff:ffff::", "reserved", "2001::/23"],
  ["2001:2::", "reserved", "2001:2::/48"],
  ["2001:2:0:ffff::", "reserved", "2001:2::/48"],
  ["2001:3::1", "reserved", "2001:3::/32"],
  ["2001:4:112::1", "reserved", "2001:4:112::/48"],
  ["2001:10::1", "reserved", "2001:10::/28"],
  ["2001:1f::1", "reserved", "2001:10::/28"],
  ["2001:20::1", "reserved", "2001:20::/28"],
  ["2001:30::1", "reserved", "2001:30::/28"],
  ["2001:db8::1", "reserved", "2001:db8::/32"],
  ["2001:db8:ffff:ffff::", "reserved", "2001:db8::/32"],
  ["2620:4f:8000::1", "reserved", "2620:4f:8000::/48"],
  ["3fff::1", "reserved", "3fff::/20"],
  ["3fff:fff::1", "reserved", "3fff::/20"],
  ["5f00::1", "reserved", "5f00::/16"],
  ["fc00::1", "unique_local", "fc00::/7"],
  ["fdff:ffff::1", "unique_local", "fc00::/7"],
  ["fe80::1", "link_local", "fe80::/10"],
  ["febf:ffff::1", "link_local", "fe80::/10"],
  ["fec0::1", "private", "fec0::/10"],
  ["feff::1", "private", "fec0::/10"],
  ["ff02::1", "multicast", "ff00::/8"],
  ["fd00:ec2::254", "metadata", "fd00:ec2::254/128"],
  ["4000::1", "reserved", "::/0"],
  ["e000::1", "reserved", "::/0"],
  ["2603:1026::1", "public", "2000::/3"],
  ["2001:200::1", "public", "2000::/3"],
  ["3ffe::1", "public", "2000::/3"],
];

/** IPv6 forms embedding an IPv4 address: the form, the IPv4 address found, the class, the range of the form. */
const EMBEDDED: Array<[address: string, ipv4: string, kind: AddressClass, range: string]> = [
  // The review's reproductions.
  ["::a9fe:a9fe", "169.254.169.254", "metadata", "::/96"],
  ["::169.254.169.254", "169.254.169.254", "metadata", "::/96"],
  ["::ffff:0:a9fe:a9fe", "169.254.169.254", "metadata", "::ffff:0:0:0/96"],
  ["2002:a9fe:a9fe::1", "169.254.169.254", "metadata", "2002::/16"],
  ["64:ff9b:1::a9fe:a9fe", "169.254.169.254", "metadata", "64:ff9b:1::/48"],
  // IPv4-mapped, both notations.
  ["::ffff:127.0.0.1", "127.0.0.1", "loopback", "::ffff:0:0/96"],
  ["::ffff:7f00:1", "127.0.0.1", "loopback", "::ffff:0:0/96"],
  ["::FFFF:A9FE:A9FE", "169.254.169.254", "metadata", "::ffff:0:0/96"],
  ["::ffff:52.96.166.130", "52.96.166.130", "public", "::ffff:0:0/96"],
  // IPv4-compatible and -translated: deprecated, never public even around a public address.
  ["::10.0.0.1", "10.0.0.1", "private", "::/96"],
  ["::52.96.166.130", "52.96.166.130", "reserved", "::/96"],
  ["::ffff:0:10.1.2.3", "10.1.2.3", "private", "::ffff:0:0:0/96"],
  ["::ffff:0:52.96.166.130", "52.96.166.130", "reserved", "::ffff:0:0:0/96"],
  // NAT64 well-known prefix (public when the IPv4 address is) and local-use (never public).
  ["64:ff9b::10.0.0.1", "10.0.0.1", "private", "64:ff9b::/96"],
  ["64:ff9b::a9fe:a9fe", "169.254.169.254", "metadata", "64:ff9b::/96"],
  ["64:ff9b::3460:a682", "52.96.166.130", "public", "64:ff9b::/96"],
  ["64:ff9b:1::7f00:1", "127.0.0.1", "loopback", "64:ff9b:1::/48"],
  ["64:ff9b:1::3460:a682", "52.96.166.130", "private", "64:ff9b:1::/48"],
  // 6to4: the IPv4 address in bits 16-47.
  ["2002:7f00:1::", "127.0.0.1", "loopback", "2002::/16"],
  ["2002:c0a8:101::1", "192.168.1.1", "private", "2002::/16"],
  ["2002:3460:a682::1", "52.96.166.130", "public", "2002::/16"],
  // Teredo: the client address is the last 32 bits, inverted (RFC 4380's example client is 192.0.2.45).
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45", "reserved", "2001::/32"],
  ["2001:0:1:1::5601:5601", "169.254.169.254", "metadata", "2001::/32"],
  ["2001:0:1:1::f5ff:fffe", "10.0.0.1", "private", "2001::/32"],
  ["2001:0:ffff::", "255.255.255.255", "broadcast", "2001::/32"],
  ["2001::cb9f:597d", "52.96.166.130", "reserved", "2001::/32"],
];

describe("IANA IPv4 special-purpose registry", () => {
  it.each(IPV4_REGISTRY)("%s is %s (%s)", (address, kind, range) => {
    expect(describeAddress(address)).toMatchObject({ kind, range: { cidr: range }, embeddedIpv4: null });
  });
});

describe("IANA IPv6 special-purpose registry", () => {
  it.each(IPV6_REGISTRY)("%s is %s (%s)", (address, kind, range) => {
    expect(describeAddress(address)).toMatchObject({ kind, range: { cidr: range }, embeddedIpv4: null });
  });

  it.each(EMBEDDED)("%s embeds %s and is judged %s (%s)", (address, ipv4, kind, range) => {
    expect(describeAddress(address)).toMatchObject({ kind, range: { cidr: range }, embeddedIpv4: ipv4 });
  });

  it("accepts brackets and zone ids, and refuses what is not an address", () => {
    expect(describeAddress("[::1]")?.kind).toBe("loopback");
    expect(describeAddress("fe80::1%eth0")?.kind).toBe("link_local");
    expect(describeAddress("not-an-ip")).toBeNull();
  });
});

describe("the table", () => {
  it("has a test row for every range it classifies", () => {
    const tested = new Set([...IPV4_REGISTRY, ...IPV6_REGISTRY, ...EMBEDDED].map((row) => row.at(-1)));
    const untested = [...IPV4_SPECIAL_RANGES, ...IPV6_SPECIAL_RANGES]
      .map((range) => range.cidr)
      .filter((cidr) => !tested.has(cidr));
    expect(untested).toEqual([]);
  });

  it("holds each range once, every one with a source", () => {
    const cidrs = [...IPV4_SPECIAL_RANGES, ...IPV6_SPECIAL_RANGES].map((range) => range.cidr);
    expect(new Set(cidrs).size).toBe(cidrs.length);
    for (const range of [...IPV4_SPECIAL_RANGES, ...IPV6_SPECIAL_RANGES]) expect(range.source, range.cidr).not.toBe("");
  });
});

describe("the URL guard on embedded forms", () => {
  const strict: OutboundPolicy = { allowPrivateCidrs: [], allowedHosts: [], hostOverrides: {} };

  it.each(["::a9fe:a9fe", "::169.254.169.254", "::ffff:0:a9fe:a9fe", "2002:a9fe:a9fe::1", "64:ff9b:1::a9fe:a9fe"])(
    "refuses https://[%s]/ as cloud metadata, even where private ranges are allowed",
    async (address) => {
      const verdict = await guardUrl(`https://[${address}]/EWS/Exchange.asmx`, strict, () => Promise.resolve([]));
      expect(verdict).toMatchObject({ ok: false, rule: "blocked_address" });
      const lenient: OutboundPolicy = { ...strict, allowPrivateCidrs: ["169.254.0.0/16", "::/0"] };
      expect(checkAddress(address, "evil.example", lenient)).toMatchObject({
        ok: false,
        reason: expect.stringContaining(": embeds 169.254.169.254), a cloud metadata address") as string,
      });
    },
  );

  it.each(["fec0::1", "100::1", "2001:db8::1", "3fff::1", "255.255.255.255"])(
    "refuses %s when a host name resolves to it",
    async (address) => {
      const verdict = await guardUrl("https://mail.example.com/EWS/Exchange.asmx", strict, () =>
        Promise.resolve([address]),
      );
      expect(verdict).toMatchObject({ ok: false, rule: "blocked_address" });
    },
  );

  it("lets an allowed private range through in its IPv4-mapped and NAT64 forms", () => {
    const policy: OutboundPolicy = { ...strict, allowPrivateCidrs: ["10.0.0.0/24"] };
    expect(checkAddress("::ffff:10.0.0.5", "mail.corp", policy).ok).toBe(true);
    expect(checkAddress("2002:a00:5::1", "mail.corp", policy).ok).toBe(true);
    expect(checkAddress("2002:a00:105::1", "mail.corp", policy).ok).toBe(false);
  });
});
