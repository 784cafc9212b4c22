/** Kysely types of monitoring's tables (migration 013): settings, claimed slots, history, alerts, deliveries. */
import type {} from "../db/database.js";

/** One row per organization; a null JSON column means that part was never saved (its defaults apply). */
export interface MonitoringSettingsTable {
  org_id: string;
  schedule_json: string | null;
  schedule_updated_by: string | null;
  schedule_updated_at: string | null;
  rules_json: string | null;
  rules_updated_by: string | null;
  rules_updated_at: string | null;
  /** Email recipients and the webhook's URL and on/off; the webhook secret lives sealed beside it. */
  channels_json: string | null;
  webhook_secret_enc: string | null;
  /** The webhook's full URL, sealed (migration 020); channels_json keeps only its origin-only form. */
  webhook_url_enc: string | null;
  channels_updated_by: string | null;
  channels_updated_at: string | null;
}

/** A schedule slot claimed by the process that starts its run: the primary key makes it once across processes. */
export interface MonitoringSlotsTable {
  org_id: string;
  /** "scheduled:<ISO slot time>" or "after_change:<configuration version>". */
  slot_key: string;
  claimed_at: string;
  run_id: string | null;
}

export interface MonitoringRunHistoryTable {
  run_id: string;
  org_id: string;
  run_trigger: string;
  state: string;
  started_at: string;
  finished_at: string | null;
  total: number;
  counts_json: string;
  /** Why the run stopped early (migration 021); null when it finished, was cancelled, or predates 021. */
  stop_category: string | null;
  stop_message: string | null;
}

/** Each user's failing or not as of the last run that checked them (the base of status changes). */
export interface MonitoringUserStatusTable {
  org_id: string;
  user_id: string;
  email: string;
  failing: number;
  category: string;
  /** When the current state began (the run that found it). */
  since: string;
  run_id: string;
}

export interface MonitoringStatusChangesTable {
  id: string;
  org_id: string;
  user_id: string;
  email: string;
  change: string;
  category: string;
  previous_category: string | null;
  /** A `moved` change's words (migration 029); null for the others and older rows. */
  detail: string | null;
  run_id: string;
  at: string;
}

/** An alert condition open right now; deleted (with a resolved message) when it clears. */
export interface MonitoringOpenAlertsTable {
  org_id: string;
  kind: string;
  summary: string;
  opened_at: string;
  run_id: string | null;
}

export interface MonitoringDeliveriesTable {
  id: string;
  org_id: string;
  message_id: string;
  channel: string;
  event: string;
  kind: string | null;
  attempt: number;
  status: string;
  http_status: number | null;
  error: string | null;
  at: string;
}

declare module "../db/database.js" {
  interface DatabaseTables {
    monitoring_settings: MonitoringSettingsTable;
    monitoring_slots: MonitoringSlotsTable;
    monitoring_run_history: MonitoringRunHistoryTable;
    monitoring_user_status: MonitoringUserStatusTable;
    monitoring_status_changes: MonitoringStatusChangesTable;
    monitoring_open_alerts: MonitoringOpenAlertsTable;
    monitoring_deliveries: MonitoringDeliveriesTable;
  }
}
