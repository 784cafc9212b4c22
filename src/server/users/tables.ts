/** Kysely type of an organization's users (migration 001). */
import type {} from "../db/database.js";

export interface OrgUsersTable {
  id: string;
  org_id: string;
  email: string;
  /** Lower-cased email: uniqueness per organization is case-insensitive. */
  email_normalized: string;
  display_name: string;
  role: "admin" | "user";
  added_by: string;
  added_at: string;
  /** The admin's explicit connection profile (migration 027); null: the rules, Automatic or the default decide. */
  profile_id: string | null;
  /** Where the check engine last placed the user (Automatic), with its reason and time. */
  placed_profile_id: string | null;
  placement_reason: string | null;
  placed_at: string | null;
}

declare module "../db/database.js" {
  interface DatabaseTables {
    org_users: OrgUsersTable;
  }
}
