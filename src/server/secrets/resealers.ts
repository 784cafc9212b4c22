/**
 * Every table that stores keyring envelopes, re-sealed by `npm run secrets:rotate`. A module that seals secrets in
 * its own table adds one entry here, so a rotation leaves no ciphertext under a retired key.
 */
import { resealDrafts } from "../emailConfig/draftSeal.js";
import type { Db } from "../db/schema.js";
import { emailConfigsRepository } from "../emailConfig/repository.js";
import type { Keyring } from "./keyring.js";

export interface Resealer {
  name: string;
  /** Re-seals every envelope not sealed with the keyring's active key; returns how many moved. */
  reseal(db: Db, keyring: Keyring): Promise<number>;
}

export const resealers: Resealer[] = [
  { name: "email_configs", reseal: (db, keyring) => emailConfigsRepository(db, keyring, () => new Date()).reseal() },
  // A draft run's configuration, kept only until the run ends, so an interrupted run can still resume.
  { name: "check_runs", reseal: resealDrafts },
];

/** Runs every resealer in one transaction: a rotation either completes or changes nothing. */
export async function resealAll(db: Db, keyring: Keyring): Promise<Record<string, number>> {
  return db.transaction().execute(async (trx) => {
    const moved: Record<string, number> = {};
    for (const resealer of resealers) moved[resealer.name] = await resealer.reseal(trx, keyring);
    return moved;
  });
}
