import { describe, expect, it } from "vitest";
import {
  issueChallenge,
  ntHash,
  ntProof,
  ntowfV2,
  readNtlmMessage,
  verifyAuthenticate,
} from "../../../src/lab/ntlm.js";
import { MS_NLMP } from "../../support/msNlmpVectors.js";

describe("the lab's NTLMv2 against MS-NLMP 4.2.4", () => {
  it("derives NTOWFv1 and NTOWFv2 (ResponseKeyNT) of the published example", () => {
    expect(ntHash(MS_NLMP.password).toString("hex")).toBe(MS_NLMP.ntowfV1);
    expect(ntowfV2(MS_NLMP.password, MS_NLMP.user, MS_NLMP.domain).toString("hex")).toBe(MS_NLMP.responseKeyNT);
  });

  it("computes the published NTProofStr over the server challenge and the client's blob", () => {
    const key = ntowfV2(MS_NLMP.password, MS_NLMP.user, MS_NLMP.domain);
    const proof = ntProof(key, Buffer.from(MS_NLMP.serverChallenge, "hex"), MS_NLMP.temp());
    expect(proof.toString("hex")).toBe(MS_NLMP.ntProofStr);
  });

  it("accepts the published AUTHENTICATE response and refuses it for another password or challenge", () => {
    const raw = MS_NLMP.authenticateMessage();
    const challenge = { serverChallenge: Buffer.from(MS_NLMP.serverChallenge, "hex"), unicode: true };
    const passwordOf = (user: string, domain: string) =>
      user === MS_NLMP.user && domain === MS_NLMP.domain ? MS_NLMP.password : null;
    expect(verifyAuthenticate(raw, challenge, passwordOf)).toMatchObject({ ok: true });
    expect(verifyAuthenticate(raw, challenge, () => "Password1")).toEqual({ ok: false, reason: "wrong_password" });
    const other = { ...challenge, serverChallenge: Buffer.from("fedcba9876543210", "hex") };
    expect(verifyAuthenticate(raw, other, passwordOf)).toEqual({ ok: false, reason: "wrong_password" });
  });

  it("refuses an NTLMv1 (24-byte) response", () => {
    const raw = MS_NLMP.authenticateMessage(Buffer.alloc(24, 7));
    const challenge = { serverChallenge: Buffer.from(MS_NLMP.serverChallenge, "hex"), unicode: true };
    expect(verifyAuthenticate(raw, challenge, () => MS_NLMP.password)).toEqual({ ok: false, reason: "ntlmv1" });
  });

  it("issues a fresh challenge naming the NetBIOS and DNS domain and computer", () => {
    const names = {
      netbiosDomain: "CONTOSO",
      netbiosComputer: "MAIL",
      dnsDomain: "contoso.lab",
      dnsComputer: "mail.contoso.lab",
    };
    const first = issueChallenge(0x00000001 | 0x00080000, names);
    const second = issueChallenge(0x00000001, names);
    expect(first.serverChallenge.equals(second.serverChallenge)).toBe(false);
    const raw = Buffer.from(first.token, "base64");
    expect(raw.readUInt32LE(8)).toBe(2);
    expect(raw.subarray(24, 32).equals(first.serverChallenge)).toBe(true);
    const info = raw.subarray(raw.readUInt32LE(44), raw.readUInt32LE(44) + raw.readUInt16LE(40)).toString("utf16le");
    for (const name of Object.values(names)) expect(info).toContain(name);
    expect(readNtlmMessage(first.token)).toEqual({ type: "invalid", reason: "unexpected NTLM message type 2" });
  });
});
