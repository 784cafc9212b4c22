import { describe, expect, it } from "vitest";
import { Keyring, SecretsError, generateKeyEntry, parseKey } from "../../../../src/server/secrets/keyring.js";

describe("Keyring", () => {
  const first = parseKey(generateKeyEntry("k1"));
  const second = parseKey(generateKeyEntry("k2"));

  it("seals with the active key and opens what it sealed", () => {
    const keyring = new Keyring([first]);
    const envelope = keyring.seal("Winter2026!", "email_configs.password_enc:org-1");
    expect(envelope).toMatch(/^v1\.k1\./);
    expect(envelope).not.toContain("Winter2026");
    expect(keyring.open(envelope, "email_configs.password_enc:org-1")).toBe("Winter2026!");
  });

  it("uses a fresh nonce every time", () => {
    const keyring = new Keyring([first]);
    expect(keyring.seal("same", "ctx")).not.toBe(keyring.seal("same", "ctx"));
  });

  it("refuses an envelope moved to another place, tampered with, or sealed by an unknown key", () => {
    const keyring = new Keyring([first]);
    const envelope = keyring.seal("secret", "email_configs.password_enc:org-1");
    expect(() => keyring.open(envelope, "email_configs.password_enc:org-2")).toThrow(SecretsError);
    const parts = envelope.split(".");
    parts[4] = Buffer.from("tampered").toString("base64url");
    expect(() => keyring.open(parts.join("."), "email_configs.password_enc:org-1")).toThrow(/integrity/);
    expect(() => new Keyring([second]).open(envelope, "email_configs.password_enc:org-1")).toThrow(
      /"k1" is not configured/,
    );
  });

  it("opens old envelopes after rotation while sealing new ones with the new key", () => {
    const old = new Keyring([first]).seal("secret", "ctx");
    const rotated = new Keyring([second, first]);
    expect(rotated.open(old, "ctx")).toBe("secret");
    expect(rotated.keyIdOf(rotated.seal("secret", "ctx"))).toBe("k2");
  });

  it("derives a key id from a bare key and refuses keys of the wrong size", () => {
    expect(parseKey(Buffer.alloc(32, 1).toString("base64")).id).toMatch(/^k[0-9a-f]{8}$/);
    expect(() => parseKey(Buffer.alloc(16).toString("base64"))).toThrow(/32 bytes/);
  });
});
