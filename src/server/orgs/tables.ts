/** Kysely type of organizations (migration 001). */
import type {} from "../db/database.js";

export interface OrganizationsTable {
  id: string;
  name: string;
  tenant_id: string | null;
  created_at: string;
  created_by: string;
}

declare module "../db/database.js" {
  interface DatabaseTables {
    organizations: OrganizationsTable;
  }
}
