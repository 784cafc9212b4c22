/**
 * npm run secrets:rotate — re-encrypts every stored secret under the active key.
 *  - Keys from SECRETS_KEYS: put the new key first ("new:BASE64,old:BASE64"), run this, then drop the old key.
 *  - Development key file (./data/secrets-keys.json): a new key is generated and made active; the old one stays in
 *    the file until you pass --prune on a later run (after every ciphertext moved).
 *  - The attestation signing key rotates with them: a new Ed25519 key signs from now on; the old public keys stay
 *    published (GET /api/attestation-keys), so attestations signed before still verify.
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { migrateToLatest } from "../domains.js";
import { generateKeyEntry, Keyring, parseKey } from "../secrets/keyring.js";
import { loadKeyring, readKeyFile, writeKeyFile } from "../secrets/keySource.js";
import { resealAll } from "../domains.js";
import { attestationKeys } from "../attestation/signingKeys.js";

export async function rotateSecrets(argv: string[], env: Record<string, string | undefined> = process.env) {
  const { values } = parseArgs({ args: argv, options: { prune: { type: "boolean", default: false } } });
  const config = loadConfig(env);
  const loaded = loadKeyring(config, (message) => console.warn(message));
  let keyring = loaded.keyring;
  if (loaded.keyFile) {
    const entries = readKeyFile(loaded.keyFile);
    const next = [generateKeyEntry(`dev${Date.now().toString(36)}`), ...entries];
    writeKeyFile(loaded.keyFile, next);
    keyring = new Keyring(next.map(parseKey));
  }
  const database = await openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(database.db);
    const moved = await resealAll(database.db, keyring);
    const attestationKeyId = await attestationKeys(database.db, keyring).rotate();
    if (loaded.keyFile && values.prune) writeKeyFile(loaded.keyFile, [readKeyFile(loaded.keyFile)[0]!]);
    return {
      activeKeyId: keyring.activeKeyId,
      moved,
      attestationKeyId,
      pruned: Boolean(loaded.keyFile && values.prune),
    };
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  rotateSecrets(process.argv.slice(2)).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
