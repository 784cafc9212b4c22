import type { Kysely, Migration } from "kysely";

/**
 * The Ed25519 keys that sign access attestations: the public half as a JWK (published at /api/attestation-keys), the
 * private half sealed with the keyring like every other secret. The newest key signs; older ones stay published so
 * attestations signed before a rotation still verify.
 */
export const migration024AttestationKeys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("attestation_keys")
      .addColumn("kid", "text", (c) => c.primaryKey())
      .addColumn("public_jwk", "text", (c) => c.notNull())
      .addColumn("private_jwk_enc", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("attestation_keys").execute();
  },
};
