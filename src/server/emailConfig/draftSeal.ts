/**
 * A draft run's configuration at rest in check_runs.draft_enc: sealed with the keyring and bound to its run's row, so
 * a crash can resume the run and a copied envelope opens nowhere else. `npm run secrets:rotate` re-seals it.
 */
import type { Db } from "../db/schema.js";
import type { ResolvedEmailConfig } from "../exchange/config.js";
import type { Keyring } from "../secrets/keyring.js";
import type { CheckTables } from "../checks/tables.js";

/** The associated data of a run's draft: table, column and run id. */
export const draftContext = (runId: string): string => `check_runs.draft_enc:${runId}`;

export function sealDraft(keyring: Keyring, runId: string, config: ResolvedEmailConfig): string {
  return keyring.seal(JSON.stringify(config), draftContext(runId));
}

export function openDraft(keyring: Keyring, runId: string, envelope: string): ResolvedEmailConfig {
  return JSON.parse(keyring.open(envelope, draftContext(runId))) as ResolvedEmailConfig;
}

/** Re-seals every draft not sealed by the active key; returns how many moved. */
export async function resealDrafts(baseDb: Db, keyring: Keyring): Promise<number> {
  const db = baseDb.withTables<CheckTables>();
  const rows = await db
    .selectFrom("check_runs")
    .select(["id", "draft_enc"])
    .where("draft_enc", "is not", null)
    .execute();
  let moved = 0;
  for (const { id, draft_enc: envelope } of rows) {
    if (envelope === null || keyring.keyIdOf(envelope) === keyring.activeKeyId) continue;
    const context = draftContext(id);
    const result = await db
      .updateTable("check_runs")
      .set({ draft_enc: keyring.seal(keyring.open(envelope, context), context) })
      // Only the envelope read: a run that ended meanwhile dropped its draft, which must stay dropped.
      .where("id", "=", id)
      .where("draft_enc", "=", envelope)
      .executeTakeFirst();
    moved += Number(result.numUpdatedRows);
  }
  return moved;
}
