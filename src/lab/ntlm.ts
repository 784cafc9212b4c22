/**
 * The server's half of NTLM (MS-NLMP) as a domain controller and IIS play it for Exchange: read a NEGOTIATE
 * (type 1), answer a CHALLENGE (type 2) with a fresh server challenge and target info naming the NetBIOS and DNS
 * domain and computer, and verify an AUTHENTICATE (type 3)'s NTLMv2 response from the account's password.
 * NTLMv1 and LM responses are refused, as on Exchange 2019 CU14+ with Extended Protection. Pure functions.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import md4 from "js-md4";

const SIGNATURE = Buffer.from("NTLMSSP\0", "latin1");

export const NTLM_FLAGS = {
  unicode: 0x00000001,
  oem: 0x00000002,
  requestTarget: 0x00000004,
  ntlm: 0x00000200,
  alwaysSign: 0x00008000,
  targetTypeDomain: 0x00010000,
  extendedSessionSecurity: 0x00080000,
  targetInfo: 0x00800000,
  version: 0x02000000,
  n128: 0x20000000,
  n56: 0x80000000,
} as const;

/** AV pair ids (MS-NLMP 2.2.2.1). */
const AV = { eol: 0, nbComputer: 1, nbDomain: 2, dnsComputer: 3, dnsDomain: 4, timestamp: 7, channelBindings: 10 };

export interface NtlmServerNames {
  /** NetBIOS domain, e.g. CONTOSO: the challenge's target name. */
  netbiosDomain: string;
  netbiosComputer: string;
  dnsDomain: string;
  dnsComputer: string;
}

export interface IssuedChallenge {
  serverChallenge: Buffer;
  /** Whether strings in the AUTHENTICATE message are UTF-16LE (negotiated) or OEM. */
  unicode: boolean;
  /** The CHALLENGE message, base64, for `WWW-Authenticate: NTLM <token>`. */
  token: string;
}

export type NtlmMessage = { type: 1; flags: number } | { type: 3; raw: Buffer } | { type: "invalid"; reason: string };

/** Reads the type of a base64 NTLM token (the part after "NTLM " or "Negotiate "). */
export function readNtlmMessage(token: string): NtlmMessage {
  const raw = Buffer.from(token, "base64");
  if (raw.length < 12 || !raw.subarray(0, 8).equals(SIGNATURE)) {
    return { type: "invalid", reason: "not an NTLMSSP token (SPNEGO/Kerberos is not offered)" };
  }
  const type = raw.readUInt32LE(8);
  if (type === 1) return { type: 1, flags: raw.length >= 16 ? raw.readUInt32LE(12) : 0 };
  if (type === 3 && raw.length >= 52) return { type: 3, raw };
  return { type: "invalid", reason: `unexpected NTLM message type ${type}` };
}

function avPair(id: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16LE(id, 0);
  header.writeUInt16LE(value.length, 2);
  return Buffer.concat([header, value]);
}

/** 100 ns intervals since 1601-01-01 (FILETIME), little-endian. */
function fileTime(now: number): Buffer {
  const value = (BigInt(now) + 11_644_473_600_000n) * 10_000n;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(value);
  return out;
}

export function targetInfo(names: NtlmServerNames, now: number = Date.now()): Buffer {
  const utf16 = (text: string): Buffer => Buffer.from(text, "utf16le");
  return Buffer.concat([
    avPair(AV.nbDomain, utf16(names.netbiosDomain)),
    avPair(AV.nbComputer, utf16(names.netbiosComputer)),
    avPair(AV.dnsDomain, utf16(names.dnsDomain)),
    avPair(AV.dnsComputer, utf16(names.dnsComputer)),
    avPair(AV.timestamp, fileTime(now)),
    avPair(AV.eol, Buffer.alloc(0)),
  ]);
}

/** Builds the CHALLENGE message answering a NEGOTIATE's flags, with a fresh 8-byte server challenge. */
export function issueChallenge(
  negotiateFlags: number,
  names: NtlmServerNames,
  serverChallenge: Buffer = randomBytes(8),
): IssuedChallenge {
  const unicode = (negotiateFlags & NTLM_FLAGS.unicode) !== 0;
  let flags =
    NTLM_FLAGS.requestTarget |
    NTLM_FLAGS.ntlm |
    NTLM_FLAGS.targetTypeDomain |
    NTLM_FLAGS.targetInfo |
    NTLM_FLAGS.version |
    (unicode ? NTLM_FLAGS.unicode : NTLM_FLAGS.oem);
  for (const echoed of [NTLM_FLAGS.alwaysSign, NTLM_FLAGS.extendedSessionSecurity, NTLM_FLAGS.n128, NTLM_FLAGS.n56]) {
    if ((negotiateFlags & echoed) !== 0) flags |= echoed;
  }
  const targetName = Buffer.from(names.netbiosDomain, unicode ? "utf16le" : "latin1");
  const info = targetInfo(names);
  const header = Buffer.alloc(56);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(targetName.length, 12);
  header.writeUInt16LE(targetName.length, 14);
  header.writeUInt32LE(56, 16);
  header.writeUInt32LE(flags >>> 0, 20);
  serverChallenge.copy(header, 24);
  header.writeUInt16LE(info.length, 40);
  header.writeUInt16LE(info.length, 42);
  header.writeUInt32LE(56 + targetName.length, 44);
  // Version: Windows Server 2019 (10.0 build 17763), NTLM revision 15.
  Buffer.from([10, 0, 0x03, 0x45, 0, 0, 0, 15]).copy(header, 48);
  return {
    serverChallenge,
    unicode,
    token: Buffer.concat([header, targetName, info]).toString("base64"),
  };
}

function field(raw: Buffer, offset: number): Buffer {
  const length = raw.readUInt16LE(offset);
  const start = raw.readUInt32LE(offset + 4);
  if (length === 0) return Buffer.alloc(0);
  if (start + length > raw.length) throw new Error("a field points outside the message");
  return raw.subarray(start, start + length);
}

export interface AuthenticateFields {
  user: string;
  domain: string;
  workstation: string;
  lmResponse: Buffer;
  ntResponse: Buffer;
}

export function readAuthenticate(raw: Buffer, unicode: boolean): AuthenticateFields {
  const text = (bytes: Buffer): string => bytes.toString(unicode ? "utf16le" : "latin1");
  return {
    lmResponse: field(raw, 12),
    ntResponse: field(raw, 20),
    domain: text(field(raw, 28)),
    user: text(field(raw, 36)),
    workstation: text(field(raw, 44)),
  };
}

/** NTOWFv1: MD4 over the UTF-16LE password (MS-NLMP 3.3.1). */
export function ntHash(password: string): Buffer {
  return Buffer.from(md4.create().update(Buffer.from(password, "utf16le")).arrayBuffer());
}

/** NTOWFv2 = HMAC-MD5(NTOWFv1, UTF-16LE(Uppercase(user) + domain)) (MS-NLMP 3.3.2). */
export function ntowfV2(password: string, user: string, domain: string): Buffer {
  return createHmac("md5", ntHash(password))
    .update(Buffer.from(user.toUpperCase() + domain, "utf16le"))
    .digest();
}

/** NTProofStr = HMAC-MD5(ResponseKeyNT, ServerChallenge + temp), temp being the client's blob. */
export function ntProof(responseKeyNT: Buffer, serverChallenge: Buffer, blob: Buffer): Buffer {
  return createHmac("md5", responseKeyNT)
    .update(Buffer.concat([serverChallenge, blob]))
    .digest();
}

/**
 * The channel binding hash for a TLS server certificate (tls-server-end-point, RFC 5929; MD5 over
 * gss_channel_bindings_struct with empty addresses), as Extended Protection expects in MsvAvChannelBindings.
 */
export function channelBindingHash(serverCertDer: Buffer): Buffer {
  const application = Buffer.concat([
    Buffer.from("tls-server-end-point:", "latin1"),
    createHash("sha256").update(serverCertDer).digest(),
  ]);
  const struct = Buffer.alloc(20);
  struct.writeUInt32LE(application.length, 16);
  return createHash("md5")
    .update(Buffer.concat([struct, application]))
    .digest();
}

function avPairsOf(blob: Buffer): Map<number, Buffer> {
  const pairs = new Map<number, Buffer>();
  let position = 28;
  while (position + 4 <= blob.length) {
    const id = blob.readUInt16LE(position);
    const length = blob.readUInt16LE(position + 2);
    if (id === AV.eol) break;
    pairs.set(id, blob.subarray(position + 4, position + 4 + length));
    position += 4 + length;
  }
  return pairs;
}

export type NtlmVerdict =
  | { ok: true; fields: AuthenticateFields }
  | { ok: false; reason: "ntlmv1" | "malformed" | "wrong_password" | "unknown_account" | "channel_binding" };

/**
 * Verifies an AUTHENTICATE message against the challenge this connection was issued. `passwordOf` resolves the
 * account from the user and domain fields (null: unknown). `channelBinding`, when given, must be in the blob.
 */
export function verifyAuthenticate(
  raw: Buffer,
  challenge: Pick<IssuedChallenge, "serverChallenge" | "unicode">,
  passwordOf: (user: string, domain: string) => string | null,
  channelBinding: Buffer | null = null,
): NtlmVerdict {
  let fields: AuthenticateFields;
  try {
    fields = readAuthenticate(raw, challenge.unicode);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const nt = fields.ntResponse;
  // 24 bytes is an NTLMv1 (or NTLM2 session) response; an empty one is LM only or anonymous.
  if (nt.length === 24 || nt.length === 0) return { ok: false, reason: "ntlmv1" };
  if (nt.length < 16 + 28 || nt[16] !== 1 || nt[17] !== 1) return { ok: false, reason: "malformed" };
  const password = passwordOf(fields.user, fields.domain);
  if (password === null) return { ok: false, reason: "unknown_account" };
  const blob = nt.subarray(16);
  const expected = ntProof(ntowfV2(password, fields.user, fields.domain), challenge.serverChallenge, blob);
  if (!timingSafeEqual(expected, nt.subarray(0, 16))) return { ok: false, reason: "wrong_password" };
  if (channelBinding !== null) {
    const sent = avPairsOf(blob).get(AV.channelBindings);
    if (sent === undefined || !sent.equals(channelBinding)) return { ok: false, reason: "channel_binding" };
  }
  return { ok: true, fields };
}
