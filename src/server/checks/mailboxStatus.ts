import type { MailboxPlace } from "../../contract/exchangeOnline.js";
import type { Db } from "../db/database.js";
import { placementFromJson } from "./storedPlacement.js";
import type { CheckTables, UserMailboxStatusTable } from "./tables.js";

export interface MailboxStatusRecord {
  orgId: string;
  userId: string;
  runId: string | null;
  category: string;
  severity: UserMailboxStatusTable["severity"];
  detail: string | null;
  checkedAt: string;
}

/** A user whose latest check placed the mailbox elsewhere, and the profile that reaches it (migration 029). */
export interface ProfileSuggestion {
  userId: string;
  suggestedProfileId: string;
  where: MailboxPlace;
  runId: string;
}

/** Each user's latest check result; the check runner writes it through `record`. */
export function mailboxStatusRepository(db: Db) {
  return {
    /** The users whose latest result suggests another profile (their latest run's result row says which). */
    async suggestions(orgId: string): Promise<ProfileSuggestion[]> {
      const rows = await db
        .withTables<CheckTables>()
        .selectFrom("user_mailbox_status as s")
        .innerJoin("check_results as r", (join) =>
          join.onRef("r.run_id", "=", "s.run_id").onRef("r.user_id", "=", "s.user_id"),
        )
        .select([
          "s.user_id as userId",
          "s.run_id as runId",
          "r.suggested_profile_id as suggested",
          "r.placement_json as placement",
        ])
        .where("s.org_id", "=", orgId)
        .where("r.suggested_profile_id", "is not", null)
        .execute();
      return rows.flatMap((row) => {
        const where = placementFromJson(row.placement)?.where;
        if (row.suggested === null || row.runId === null || where === undefined) return [];
        return [{ userId: row.userId, suggestedProfileId: row.suggested, where, runId: row.runId }];
      });
    },

    async record(status: MailboxStatusRecord): Promise<void> {
      const values: UserMailboxStatusTable = {
        org_id: status.orgId,
        user_id: status.userId,
        run_id: status.runId,
        category: status.category,
        severity: status.severity,
        detail: status.detail,
        checked_at: status.checkedAt,
      };
      await db
        .insertInto("user_mailbox_status")
        .values(values)
        .onConflict((oc) =>
          oc.columns(["org_id", "user_id"]).doUpdateSet({
            run_id: values.run_id,
            category: values.category,
            severity: values.severity,
            detail: values.detail,
            checked_at: values.checked_at,
          }),
        )
        .execute();
    },

    async latest(orgId: string, userId: string): Promise<MailboxStatusRecord | null> {
      const row = await db
        .selectFrom("user_mailbox_status")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("user_id", "=", userId)
        .orderBy("checked_at", "desc")
        .executeTakeFirst();
      return row
        ? {
            orgId: row.org_id,
            userId: row.user_id,
            runId: row.run_id,
            category: row.category,
            severity: row.severity,
            detail: row.detail,
            checkedAt: row.checked_at,
          }
        : null;
    },
  };
}

export type MailboxStatusRepository = ReturnType<typeof mailboxStatusRepository>;
