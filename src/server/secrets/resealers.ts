/**
 * Re-sealing for `npm run secrets:rotate`: every table that stores keyring envelopes has a Resealer, owned by the
 * domain of that table and listed once in domains.ts, so a rotation leaves no ciphertext under a retired key.
 */
import type { Db } from "../db/database.js";
import type { Keyring } from "./keyring.js";

export interface Resealer {
  name: string;
  /** Re-seals every envelope not sealed with the keyring's active key; returns how many moved. */
  reseal(db: Db, keyring: Keyring): Promise<number>;
  /** Opens every stored envelope with the keyring and writes nothing; returns how many opened, throws on one that does not. */
  verify(db: Db, keyring: Keyring): Promise<number>;
}

/** Runs every resealer in one transaction: a rotation either completes or changes nothing. */
export async function resealEvery(
  db: Db,
  keyring: Keyring,
  resealers: readonly Resealer[],
): Promise<Record<string, number>> {
  return db.transaction().execute(async (trx) => {
    const moved: Record<string, number> = {};
    for (const resealer of resealers) moved[resealer.name] = await resealer.reseal(trx, keyring);
    return moved;
  });
}
