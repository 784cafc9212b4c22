/** Kysely types of the check runner's tables: check runs (migration 010) and each user's latest status (002). */
import type { Db } from "../db/database.js";

export interface UserMailboxStatusTable {
  org_id: string;
  user_id: string;
  run_id: string | null;
  category: string;
  severity: "ok" | "warning" | "error" | "transient";
  detail: string | null;
  checked_at: string;
}

export interface CheckRunsTable {
  id: string;
  org_id: string;
  state: string;
  depth: string;
  scope: string;
  access_type: string;
  config_version: number | null;
  /** The unsaved draft configuration checked, sealed with the keyring (it holds secrets), so a crash can resume. */
  draft_enc: string | null;
  concurrency: number;
  total: number;
  done: number;
  counts_json: string;
  preflight_json: string | null;
  stop_category: string | null;
  stop_detail: string | null;
  started_by: string;
  /** manual, scheduled or after_change (migration 012); null on rows written before it reads as manual. */
  run_trigger: string | null;
  /** When its users were queued as chunk jobs (PostgreSQL, migration 018); null before and on SQLite. */
  queued_at: string | null;
  started_at: string;
  finished_at: string | null;
  /** A group run's child points at its parent (migration 030); null for top-level runs and older rows. */
  parent_run_id?: string | null | undefined;
  /** The connection profile the run checks through (migration 030); null: the default profile. */
  profile_id?: string | null | undefined;
}

export interface CheckRunUsersTable {
  run_id: string;
  user_id: string;
  email: string;
}

export interface CheckResultsTable {
  run_id: string;
  user_id: string;
  email: string;
  category: string;
  severity: string;
  detail: string | null;
  primary_smtp_address: string | null;
  http_status: number | null;
  attempts: number;
  duration_ms: number;
  steps_json: string;
  /** CheckCapabilitiesDto as JSON (migration 015); null for EWS results and older rows. */
  capabilities_json: string | null;
  /** The profile that checked the user (migration 029); null on older rows: the organization's default profile. */
  profile_id: string | null;
  /** The profile the product would place the user in, when it differs and one reaches the mailbox's place. */
  suggested_profile_id: string | null;
  /** MailboxPlacement as JSON: where the answer says the mailbox lives, and the evidence. */
  placement_json: string | null;
  checked_at: string;
}

// A type alias: tests and benches still reach these with `db.withTables<CheckTables>()`.
export type CheckTables = {
  check_runs: CheckRunsTable;
  check_run_users: CheckRunUsersTable;
  check_results: CheckResultsTable;
};

export type ChecksDb = Db;

declare module "../db/database.js" {
  interface DatabaseTables extends CheckTables {
    user_mailbox_status: UserMailboxStatusTable;
  }
}
