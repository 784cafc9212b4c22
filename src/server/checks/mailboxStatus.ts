import type { Db } from "../db/database.js";
import type { UserMailboxStatusTable } from "./tables.js";

export interface MailboxStatusRecord {
  orgId: string;
  userId: string;
  runId: string | null;
  category: string;
  severity: UserMailboxStatusTable["severity"];
  detail: string | null;
  checkedAt: string;
}

/** Each user's latest check result; the check runner writes it through `record`. */
export function mailboxStatusRepository(db: Db) {
  return {
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
