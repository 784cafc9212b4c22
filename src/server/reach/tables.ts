/** Kysely type of the sidebar's reach reports (migration 019): each user's latest, kept REACH_RETENTION_DAYS. */
import type {} from "../db/database.js";

export interface SidebarReachTable {
  org_id: string;
  user_id: string;
  reported_at: string;
  client: string;
  platform: string | null;
  client_version: string | null;
  addin_version: string;
  manifest: string;
  mailbox_version: string | null;
  /** 1 when NestedAppAuth 1.1 is supported. */
  nested_app_auth: number;
  sign_in_path: string | null;
  sign_in_failure: string | null;
}

declare module "../db/database.js" {
  interface DatabaseTables {
    sidebar_reach: SidebarReachTable;
  }
}
