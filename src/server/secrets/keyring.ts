/**
 * AES-256-GCM envelopes for secrets at rest. Each ciphertext names the key that sealed it
 * ("v1.<keyId>.<iv>.<tag>.<ciphertext>", base64url), so keys can rotate while old rows still open.
 * The associated data binds an envelope to its place (table, column, row): a ciphertext copied elsewhere fails.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "v1";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export interface SecretKey {
  id: string;
  key: Buffer;
}

export class SecretsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretsError";
  }
}

/** Parses "id:base64key" or a bare base64 key (its id is then derived from the key's hash). */
export function parseKey(entry: string): SecretKey {
  const separator = entry.indexOf(":");
  const id = separator > 0 ? entry.slice(0, separator) : null;
  const material = Buffer.from(separator > 0 ? entry.slice(separator + 1) : entry, "base64");
  if (material.length !== 32) throw new SecretsError("a secrets key must be 32 bytes, base64-encoded");
  const keyId = id ?? `k${createHash("sha256").update(material).digest("hex").slice(0, 8)}`;
  if (!KEY_ID.test(keyId)) throw new SecretsError(`a secrets key id must match ${KEY_ID.source}`);
  return { id: keyId, key: material };
}

export function generateKeyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString("base64")}`;
}

export class Keyring {
  private readonly byId: Map<string, Buffer>;

  /** The first key seals new envelopes; the rest only open old ones. */
  constructor(readonly keys: SecretKey[]) {
    if (keys.length === 0) throw new SecretsError("the keyring needs at least one key");
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    if (this.byId.size !== keys.length) throw new SecretsError("secrets key ids must be unique");
  }

  get activeKeyId(): string {
    return this.keys[0]!.id;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys[0]!.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, this.activeKeyId, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
      .join(".");
  }

  open(envelope: string, context: string): string {
    const [version, keyId, iv, tag, ciphertext] = envelope.split(".");
    if (version !== VERSION || !keyId || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new SecretsError("not a secrets envelope");
    }
    const key = this.byId.get(keyId);
    if (!key) throw new SecretsError(`secrets key "${keyId}" is not configured`);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretsError("a secret failed its integrity check (wrong key or tampered data)");
    }
  }

  keyIdOf(envelope: string): string | null {
    const [version, keyId] = envelope.split(".");
    return version === VERSION && keyId ? keyId : null;
  }
}
