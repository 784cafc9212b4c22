/** Kysely types of the canaries and their verdicts (migration 028). */
import type {} from "../db/database.js";

export interface CanariesTable {
  id: string;
  org_id: string;
  /** Lower-cased. */
  address: string;
  added_by: string;
  added_at: string;
}

export interface CanaryVerdictsTable {
  run_id: string;
  org_id: string;
  address: string;
  verdict: string;
  category: string;
  /** JSON array of LeakedCapability. */
  leaked_json: string;
  cause: string | null;
  remedy: string | null;
  detail: string | null;
  checked_at: string;
}

declare module "../db/database.js" {
  interface DatabaseTables {
    canaries: CanariesTable;
    canary_verdicts: CanaryVerdictsTable;
  }
}
