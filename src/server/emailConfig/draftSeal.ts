/**
 * A draft run's configuration at rest in check_runs.draft_enc: sealed with the keyring and bound to its run's row, so
 * a crash can resume the run and a copied envelope opens nowhere else. `npm run secrets:rotate` re-seals it through
 * the check runs' re-sealer (checks/resealer.ts), which owns the table.
 */
import type { ResolvedEmailConfig } from "../exchange/config.js";
import type { Keyring } from "../secrets/keyring.js";

/** The associated data of a run's draft: table, column and run id. */
export const draftContext = (runId: string): string => `check_runs.draft_enc:${runId}`;

export function sealDraft(keyring: Keyring, runId: string, config: ResolvedEmailConfig): string {
  return keyring.seal(JSON.stringify(config), draftContext(runId));
}

export function openDraft(keyring: Keyring, runId: string, envelope: string): ResolvedEmailConfig {
  return JSON.parse(keyring.open(envelope, draftContext(runId))) as ResolvedEmailConfig;
}

/** The same draft under the keyring's active key (rotation); null when it already is. */
export function resealDraft(keyring: Keyring, runId: string, envelope: string): string | null {
  if (keyring.keyIdOf(envelope) === keyring.activeKeyId) return null;
  const context = draftContext(runId);
  return keyring.seal(keyring.open(envelope, context), context);
}
