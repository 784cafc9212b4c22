import { randomUUID } from "node:crypto";
import type { Db } from "../db/database.js";
import type { OrganizationsTable } from "./tables.js";
import { compiledOnce, type ReadRows } from "../db/compiled.js";

export interface Organization {
  id: string;
  name: string;
  tenantId: string | null;
  createdAt: string;
  createdBy: string;
}

export interface Membership {
  org: Organization;
  userId: string;
  role: "admin" | "user";
}

function toOrganization(row: OrganizationsTable): Organization {
  return { id: row.id, name: row.name, tenantId: row.tenant_id, createdAt: row.created_at, createdBy: row.created_by };
}

/** The caller's row in an organization's user list joined to the organization: the columns of a Membership. */
function selectMembership(db: Db, orgId: string, email: string) {
  return db
    .selectFrom("org_users as u")
    .innerJoin("organizations as o", "o.id", "u.org_id")
    .select(["o.id", "o.name", "o.tenant_id", "o.created_at", "o.created_by", "u.id as user_id", "u.role"])
    .where("u.org_id", "=", orgId)
    .where("u.email_normalized", "=", email);
}

export function organizationsRepository(db: Db, now: () => Date, readRows: ReadRows | null = null) {
  // Every org route asks this first, so it is compiled once.
  const membershipQuery = compiledOnce(
    db,
    (orgId: string, email: string) => selectMembership(db, orgId, email),
    ["", ""],
    readRows,
  );

  return {
    async create(input: { name: string; tenantId: string | null; createdBy: string }): Promise<Organization> {
      const row: OrganizationsTable = {
        id: randomUUID(),
        name: input.name,
        tenant_id: input.tenantId?.toLowerCase() ?? null,
        created_at: now().toISOString(),
        created_by: input.createdBy,
      };
      await db.insertInto("organizations").values(row).execute();
      return toOrganization(row);
    },

    async get(id: string): Promise<Organization | null> {
      const row = await db.selectFrom("organizations").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toOrganization(row) : null;
    },

    async list(): Promise<Organization[]> {
      const rows = await db.selectFrom("organizations").selectAll().orderBy("name").orderBy("id").execute();
      return rows.map(toOrganization);
    },

    /** The organizations whose user list holds this email, with the caller's role in each. */
    async membershipsOf(email: string): Promise<Membership[]> {
      const rows = await db
        .selectFrom("org_users as u")
        .innerJoin("organizations as o", "o.id", "u.org_id")
        .select(["o.id", "o.name", "o.tenant_id", "o.created_at", "o.created_by", "u.id as user_id", "u.role"])
        .where("u.email_normalized", "=", email.toLowerCase())
        .orderBy("o.name")
        .orderBy("o.id")
        .execute();
      return rows.map((row) => ({ org: toOrganization(row), userId: row.user_id, role: row.role }));
    },

    /** The caller's membership in one organization, in one query. */
    async membershipIn(orgId: string, email: string): Promise<Membership | null> {
      const [row] = await membershipQuery(orgId, email.toLowerCase());
      return row ? { org: toOrganization(row), userId: row.user_id, role: row.role } : null;
    },

    async userCount(orgId: string): Promise<number> {
      const row = await db
        .selectFrom("org_users")
        .select((eb) => eb.fn.countAll<string | number>().as("count"))
        .where("org_id", "=", orgId)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}

export type OrganizationsRepository = ReturnType<typeof organizationsRepository>;
