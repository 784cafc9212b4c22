/**
 * The attestation signing keys: Ed25519 pairs kept in attestation_keys, the private half sealed with the keyring.
 * The newest key signs; every key stays in the published set, so an attestation signed before a rotation still
 * verifies. The first signature creates the first key.
 */
import { exportJWK, generateKeyPair, importJWK, type CompactSign, type JWK } from "jose";
import { randomUUID } from "node:crypto";
import type { Db } from "../db/database.js";
import type { Keyring } from "../secrets/keyring.js";
import type { Resealer } from "../secrets/resealers.js";

export const ATTESTATION_ALG = "EdDSA";

export interface AttestationKeysTable {
  kid: string;
  public_jwk: string;
  private_jwk_enc: string;
  created_at: string;
}

declare module "../db/database.js" {
  interface DatabaseTables {
    attestation_keys: AttestationKeysTable;
  }
}

export interface PublishedKey extends JWK {
  kid: string;
  alg: typeof ATTESTATION_ALG;
  use: "sig";
}

/** What jose signs with (a CryptoKey in Node 20 and 24, named through jose so the server needs no DOM types). */
type PrivateKey = Parameters<CompactSign["sign"]>[0];

export interface SigningKey {
  kid: string;
  privateKey: PrivateKey;
}

/** The associated data that binds a sealed private key to its row. */
export function privateKeyContext(kid: string): string {
  return `attestation_keys.private_jwk_enc:${kid}`;
}

export function attestationKeys(db: Db, keyring: Keyring, now: () => Date = () => new Date()) {
  const newest = () =>
    db
      .selectFrom("attestation_keys")
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("kid", "desc")
      .executeTakeFirst();

  async function create(): Promise<AttestationKeysTable> {
    const { publicKey, privateKey } = await generateKeyPair(ATTESTATION_ALG, { crv: "Ed25519", extractable: true });
    const kid = `att-${randomUUID()}`;
    const row: AttestationKeysTable = {
      kid,
      public_jwk: JSON.stringify(await exportJWK(publicKey)),
      private_jwk_enc: keyring.seal(JSON.stringify(await exportJWK(privateKey)), privateKeyContext(kid)),
      // Millisecond ISO times sort as they happened; a rotation right after a creation still comes out newest.
      created_at: now().toISOString(),
    };
    await db.insertInto("attestation_keys").values(row).execute();
    return row;
  }

  return {
    /** The key that signs now (created on first use). Two processes creating one at once both publish theirs. */
    async signingKey(): Promise<SigningKey> {
      const row = (await newest()) ?? (await create());
      const jwk = JSON.parse(keyring.open(row.private_jwk_enc, privateKeyContext(row.kid))) as JWK;
      return { kid: row.kid, privateKey: (await importJWK(jwk, ATTESTATION_ALG)) as PrivateKey };
    },
    /** Every public key, newest first: the JWKS an auditor verifies against. */
    async published(): Promise<PublishedKey[]> {
      const rows = await db.selectFrom("attestation_keys").selectAll().orderBy("created_at", "desc").execute();
      return rows.map((row) => ({
        ...(JSON.parse(row.public_jwk) as JWK),
        kid: row.kid,
        alg: ATTESTATION_ALG,
        use: "sig",
      }));
    },
    /** A new signing key; the previous ones stay published. Returns the new key's id. */
    async rotate(): Promise<string> {
      return (await create()).kid;
    },
  };
}

/** Re-seals the private halves under the keyring's active key (`npm run secrets:rotate`, `npm run doctor`). */
export const attestationKeysResealer: Resealer = {
  name: "attestation_keys",
  async reseal(db, keyring) {
    let moved = 0;
    const rows = await db.selectFrom("attestation_keys").select(["kid", "private_jwk_enc"]).execute();
    for (const row of rows) {
      if (keyring.keyIdOf(row.private_jwk_enc) === keyring.activeKeyId) continue;
      const context = privateKeyContext(row.kid);
      const result = await db
        .updateTable("attestation_keys")
        .set({ private_jwk_enc: keyring.seal(keyring.open(row.private_jwk_enc, context), context) })
        .where("kid", "=", row.kid)
        .where("private_jwk_enc", "=", row.private_jwk_enc)
        .executeTakeFirst();
      moved += Number(result.numUpdatedRows);
    }
    return moved;
  },
  async verify(db, keyring) {
    const rows = await db.selectFrom("attestation_keys").select(["kid", "private_jwk_enc"]).execute();
    for (const row of rows) keyring.open(row.private_jwk_enc, privateKeyContext(row.kid));
    return rows.length;
  },
};
