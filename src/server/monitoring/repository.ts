/**
 * Monitoring's tables: settings per organization, claimed schedule slots (the primary key makes a slot fire once
 * across processes), run history, each user's failing state and its changes, open alerts and the delivery log. The
 * same queries run on SQLite and PostgreSQL.
 */
import type { Db } from "../db/database.js";
import { timeOrderedId } from "../db/ids.js";
import { decodeCursor, encodeCursor } from "../db/paging.js";
import type {
  MonitoringDeliveriesTable,
  MonitoringOpenAlertsTable,
  MonitoringRunHistoryTable,
  MonitoringSettingsTable,
  MonitoringStatusChangesTable,
  MonitoringUserStatusTable,
} from "./tables.js";

export type SettingsPart = "schedule" | "rules" | "channels";

export interface PageOptions {
  cursor?: string | undefined;
  limit: number;
}

/** Newest first by (at, id): rows fetched one over the limit tell whether another page follows. */
function pageOf<Row>(rows: Row[], limit: number, key: (row: Row) => [string, string]) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}

export function monitoringRepository(db: Db, now: () => Date) {
  return {
    async settings(orgId: string): Promise<MonitoringSettingsTable | null> {
      const row = await db.selectFrom("monitoring_settings").selectAll().where("org_id", "=", orgId).executeTakeFirst();
      return row ?? null;
    },

    /** Organizations with a saved schedule (the scheduler's work list). */
    async scheduled(): Promise<MonitoringSettingsTable[]> {
      return db.selectFrom("monitoring_settings").selectAll().where("schedule_json", "is not", null).execute();
    },

    async saveSettings(
      orgId: string,
      part: SettingsPart,
      json: string,
      actor: string,
      extra: Partial<Pick<MonitoringSettingsTable, "webhook_secret_enc" | "webhook_url_enc">> = {},
    ): Promise<void> {
      const at = now().toISOString();
      const values = {
        [`${part}_json`]: json,
        [`${part}_updated_by`]: actor,
        [`${part}_updated_at`]: at,
        ...extra,
      } as Partial<MonitoringSettingsTable>;
      await db
        .insertInto("monitoring_settings")
        .values({ org_id: orgId, ...values })
        .onConflict((oc) => oc.column("org_id").doUpdateSet(values))
        .execute();
    },

    /** Insert-or-ignore: true only for the one caller whose insert created the slot. */
    async claimSlot(orgId: string, slotKey: string): Promise<boolean> {
      const result = await db
        .insertInto("monitoring_slots")
        .values({ org_id: orgId, slot_key: slotKey, claimed_at: now().toISOString(), run_id: null })
        .onConflict((oc) => oc.columns(["org_id", "slot_key"]).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    async slotStarted(orgId: string, slotKey: string, runId: string): Promise<void> {
      await db
        .updateTable("monitoring_slots")
        .set({ run_id: runId })
        .where("org_id", "=", orgId)
        .where("slot_key", "=", slotKey)
        .execute();
    },

    async recordRun(row: MonitoringRunHistoryTable): Promise<void> {
      await db
        .insertInto("monitoring_run_history")
        .values(row)
        .onConflict((oc) =>
          oc.column("run_id").doUpdateSet({
            state: row.state,
            finished_at: row.finished_at,
            stop_category: row.stop_category,
            stop_message: row.stop_message,
          }),
        )
        .execute();
    },

    async history(orgId: string, options: PageOptions) {
      const before = decodeCursor(options.cursor, 2);
      let query = db.selectFrom("monitoring_run_history").selectAll().where("org_id", "=", orgId);
      if (before) {
        const [at, id] = before as [string, string];
        query = query.where((eb) =>
          eb.or([eb("started_at", "<", at), eb.and([eb("started_at", "=", at), eb("run_id", "<", id)])]),
        );
      }
      const rows = await query
        .orderBy("started_at", "desc")
        .orderBy("run_id", "desc")
        .limit(options.limit + 1)
        .execute();
      return pageOf(rows, options.limit, (row) => [row.started_at, row.run_id]);
    },

    async userStatuses(orgId: string): Promise<MonitoringUserStatusTable[]> {
      return db.selectFrom("monitoring_user_status").selectAll().where("org_id", "=", orgId).execute();
    },

    /** Each user's new state and the changes it made, in one transaction. */
    async recordStatuses(
      statuses: MonitoringUserStatusTable[],
      changes: Array<Omit<MonitoringStatusChangesTable, "id">>,
    ): Promise<void> {
      if (statuses.length === 0 && changes.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const status of statuses) {
          await trx
            .insertInto("monitoring_user_status")
            .values(status)
            .onConflict((oc) =>
              oc.columns(["org_id", "user_id"]).doUpdateSet({
                email: status.email,
                failing: status.failing,
                category: status.category,
                since: status.since,
                run_id: status.run_id,
              }),
            )
            .execute();
        }
        for (const change of changes) {
          await trx
            .insertInto("monitoring_status_changes")
            .values({ id: timeOrderedId(), ...change })
            .execute();
        }
      });
    },

    async statusChanges(orgId: string, userId: string | undefined, options: PageOptions) {
      const before = decodeCursor(options.cursor, 2);
      let query = db.selectFrom("monitoring_status_changes").selectAll().where("org_id", "=", orgId);
      if (userId !== undefined) query = query.where("user_id", "=", userId);
      if (before) {
        const [at, id] = before as [string, string];
        query = query.where((eb) => eb.or([eb("at", "<", at), eb.and([eb("at", "=", at), eb("id", "<", id)])]));
      }
      const rows = await query
        .orderBy("at", "desc")
        .orderBy("id", "desc")
        .limit(options.limit + 1)
        .execute();
      return pageOf(rows, options.limit, (row) => [row.at, row.id]);
    },

    async failingUsers(orgId: string): Promise<MonitoringUserStatusTable[]> {
      return db
        .selectFrom("monitoring_user_status")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("failing", "=", 1)
        .orderBy("since")
        .orderBy("email")
        .execute();
    },

    /** Drops history and status changes older than `before` (ISO). */
    async prune(orgId: string, before: string): Promise<void> {
      await db
        .deleteFrom("monitoring_run_history")
        .where("org_id", "=", orgId)
        .where("started_at", "<", before)
        .execute();
      await db.deleteFrom("monitoring_status_changes").where("org_id", "=", orgId).where("at", "<", before).execute();
    },

    async openAlerts(orgId: string): Promise<MonitoringOpenAlertsTable[]> {
      return db
        .selectFrom("monitoring_open_alerts")
        .selectAll()
        .where("org_id", "=", orgId)
        .orderBy("opened_at")
        .execute();
    },

    /** Insert-or-ignore: true when this call opened the alert (it was not open yet). */
    async openAlert(row: MonitoringOpenAlertsTable): Promise<boolean> {
      const result = await db
        .insertInto("monitoring_open_alerts")
        .values(row)
        .onConflict((oc) => oc.columns(["org_id", "kind"]).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    /** True when this call closed the alert. */
    async closeAlert(orgId: string, kind: string): Promise<boolean> {
      const result = await db
        .deleteFrom("monitoring_open_alerts")
        .where("org_id", "=", orgId)
        .where("kind", "=", kind)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async recordDelivery(row: Omit<MonitoringDeliveriesTable, "id" | "at">): Promise<MonitoringDeliveriesTable> {
      const at = now();
      const stored = { id: timeOrderedId(at.getTime()), at: at.toISOString(), ...row };
      await db.insertInto("monitoring_deliveries").values(stored).execute();
      return stored;
    },

    /** Email attempts since `since` (ISO): all of them, and those the daily cap held back (error starting `capped`). */
    async emailsSince(orgId: string, since: string, capped: string): Promise<{ sent: number; held: number }> {
      const rows = await db
        .selectFrom("monitoring_deliveries")
        .select(["status", "error"])
        .where("org_id", "=", orgId)
        .where("channel", "=", "email")
        .where("at", ">=", since)
        .execute();
      const held = rows.filter((row) => row.error?.startsWith(capped) === true).length;
      return { sent: rows.length - held, held };
    },

    async deliveries(orgId: string, options: PageOptions) {
      const before = decodeCursor(options.cursor, 2);
      let query = db.selectFrom("monitoring_deliveries").selectAll().where("org_id", "=", orgId);
      if (before) {
        const [at, id] = before as [string, string];
        query = query.where((eb) => eb.or([eb("at", "<", at), eb.and([eb("at", "=", at), eb("id", "<", id)])]));
      }
      const rows = await query
        .orderBy("at", "desc")
        .orderBy("id", "desc")
        .limit(options.limit + 1)
        .execute();
      return pageOf(rows, options.limit, (row) => [row.at, row.id]);
    },

    /** Every stored webhook secret envelope (the re-sealer's work list). */
    async webhookSecrets(): Promise<Array<{ orgId: string; envelope: string }>> {
      const rows = await db
        .selectFrom("monitoring_settings")
        .select(["org_id", "webhook_secret_enc"])
        .where("webhook_secret_enc", "is not", null)
        .execute();
      return rows.flatMap((row) =>
        row.webhook_secret_enc === null ? [] : [{ orgId: row.org_id, envelope: row.webhook_secret_enc }],
      );
    },

    /** Every sealed webhook URL, and every row whose channels still carry one in clear (saved before 020). */
    async webhookUrls(): Promise<Array<{ orgId: string; channelsJson: string | null; envelope: string | null }>> {
      const rows = await db
        .selectFrom("monitoring_settings")
        .select(["org_id", "channels_json", "webhook_url_enc"])
        .where((eb) => eb.or([eb("webhook_url_enc", "is not", null), eb("channels_json", "is not", null)]))
        .execute();
      return rows.map((row) => ({ orgId: row.org_id, channelsJson: row.channels_json, envelope: row.webhook_url_enc }));
    },

    /** Writes a sealed URL (and the channels that go with it) only where the row still holds what was read. */
    async replaceWebhookUrl(
      orgId: string,
      from: { channelsJson: string | null; envelope: string | null },
      to: { channelsJson: string | null; envelope: string },
    ): Promise<number> {
      let query = db
        .updateTable("monitoring_settings")
        .set({ channels_json: to.channelsJson, webhook_url_enc: to.envelope })
        .where("org_id", "=", orgId);
      query =
        from.envelope === null
          ? query.where("webhook_url_enc", "is", null)
          : query.where("webhook_url_enc", "=", from.envelope);
      query =
        from.channelsJson === null
          ? query.where("channels_json", "is", null)
          : query.where("channels_json", "=", from.channelsJson);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async replaceWebhookSecret(orgId: string, from: string, to: string): Promise<number> {
      const result = await db
        .updateTable("monitoring_settings")
        .set({ webhook_secret_enc: to })
        .where("org_id", "=", orgId)
        .where("webhook_secret_enc", "=", from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export type MonitoringRepository = ReturnType<typeof monitoringRepository>;
