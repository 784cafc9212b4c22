/** Kysely types of the organization's profile placement (migration 027). */
import type {} from "../db/database.js";

export interface ProfilePlacementTable {
  org_id: string;
  /** 1: Automatic placement is on. */
  automatic: number;
  version: number;
  updated_by: string | null;
  updated_at: string | null;
}

export interface ProfileRulesTable {
  id: string;
  org_id: string;
  /** 0-based order: the first rule that matches a user wins. */
  position: number;
  kind: string;
  value: string;
  profile_id: string;
}

declare module "../db/database.js" {
  interface DatabaseTables {
    profile_placement: ProfilePlacementTable;
    profile_rules: ProfileRulesTable;
  }
}
