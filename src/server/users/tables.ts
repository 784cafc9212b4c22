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
}

declare module "../db/database.js" {
  interface DatabaseTables {
    org_users: OrgUsersTable;
  }
}
