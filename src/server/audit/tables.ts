/** Kysely type of the audit trail (migration 001). */
import type {} from "../db/database.js";

export interface AuditEventsTable {
  id: string;
  org_id: string | null;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  /** JSON text, secrets already redacted. */
  before_json: string | null;
  after_json: string | null;
}

declare module "../db/database.js" {
  interface DatabaseTables {
    audit_events: AuditEventsTable;
  }
}
