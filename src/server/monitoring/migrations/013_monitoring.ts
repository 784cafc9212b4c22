import type { Kysely, Migration } from "kysely";

/** Monitoring: per-organization settings, claimed schedule slots, run history, user status, alerts, deliveries. */
export const migration013Monitoring: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("monitoring_settings")
      .addColumn("org_id", "text", (c) => c.primaryKey().references("organizations.id").onDelete("cascade"))
      .addColumn("schedule_json", "text")
      .addColumn("schedule_updated_by", "text")
      .addColumn("schedule_updated_at", "text")
      .addColumn("rules_json", "text")
      .addColumn("rules_updated_by", "text")
      .addColumn("rules_updated_at", "text")
      .addColumn("channels_json", "text")
      .addColumn("webhook_secret_enc", "text")
      .addColumn("channels_updated_by", "text")
      .addColumn("channels_updated_at", "text")
      .execute();
    await db.schema
      .createTable("monitoring_slots")
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("slot_key", "text", (c) => c.notNull())
      .addColumn("claimed_at", "text", (c) => c.notNull())
      .addColumn("run_id", "text")
      .addPrimaryKeyConstraint("monitoring_slots_pk", ["org_id", "slot_key"])
      .execute();
    await db.schema
      .createTable("monitoring_run_history")
      .addColumn("run_id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("run_trigger", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("finished_at", "text")
      .addColumn("total", "integer", (c) => c.notNull())
      .addColumn("counts_json", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("monitoring_run_history_org_idx")
      .on("monitoring_run_history")
      .columns(["org_id", "started_at", "run_id"])
      .execute();
    await db.schema
      .createTable("monitoring_user_status")
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("user_id", "text", (c) => c.notNull().references("org_users.id").onDelete("cascade"))
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("failing", "integer", (c) => c.notNull())
      .addColumn("category", "text", (c) => c.notNull())
      .addColumn("since", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("monitoring_user_status_pk", ["org_id", "user_id"])
      .execute();
    await db.schema
      .createTable("monitoring_status_changes")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("change", "text", (c) => c.notNull())
      .addColumn("category", "text", (c) => c.notNull())
      .addColumn("previous_category", "text")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("monitoring_status_changes_org_idx")
      .on("monitoring_status_changes")
      .columns(["org_id", "at", "id"])
      .execute();
    await db.schema
      .createTable("monitoring_open_alerts")
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("summary", "text", (c) => c.notNull())
      .addColumn("opened_at", "text", (c) => c.notNull())
      .addColumn("run_id", "text")
      .addPrimaryKeyConstraint("monitoring_open_alerts_pk", ["org_id", "kind"])
      .execute();
    await db.schema
      .createTable("monitoring_deliveries")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("message_id", "text", (c) => c.notNull())
      .addColumn("channel", "text", (c) => c.notNull())
      .addColumn("event", "text", (c) => c.notNull())
      .addColumn("kind", "text")
      .addColumn("attempt", "integer", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("http_status", "integer")
      .addColumn("error", "text")
      .addColumn("at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("monitoring_deliveries_org_idx")
      .on("monitoring_deliveries")
      .columns(["org_id", "at", "id"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      "monitoring_deliveries",
      "monitoring_open_alerts",
      "monitoring_status_changes",
      "monitoring_user_status",
      "monitoring_run_history",
      "monitoring_slots",
      "monitoring_settings",
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
