/**
 * check_runs.draft_enc under rotation: the table is the check runs', the envelope's format is email configuration's
 * draft seal (reached through emailConfig/service.ts).
 */
import type { Db } from "../db/database.js";
import { openDraft, resealDraft } from "../emailConfig/service.js";
import type { Resealer } from "../secrets/resealers.js";

/** Re-seals every draft not sealed by the active key; returns how many moved. */
export const checkDraftsResealer: Resealer = {
  name: "check_runs",
  async reseal(db: Db, keyring) {
    const rows = await db
      .selectFrom("check_runs")
      .select(["id", "draft_enc"])
      .where("draft_enc", "is not", null)
      .execute();
    let moved = 0;
    for (const { id, draft_enc: envelope } of rows) {
      const resealed = envelope === null ? null : resealDraft(keyring, id, envelope);
      if (envelope === null || resealed === null) continue;
      const result = await db
        .updateTable("check_runs")
        .set({ draft_enc: resealed })
        // Only the envelope read: a run that ended meanwhile dropped its draft, which must stay dropped.
        .where("id", "=", id)
        .where("draft_enc", "=", envelope)
        .executeTakeFirst();
      moved += Number(result.numUpdatedRows);
    }
    return moved;
  },
  async verify(db: Db, keyring) {
    const rows = await db
      .selectFrom("check_runs")
      .select(["id", "draft_enc"])
      .where("draft_enc", "is not", null)
      .execute();
    for (const { id, draft_enc: envelope } of rows) if (envelope !== null) openDraft(keyring, id, envelope);
    return rows.length;
  },
};
