import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../db/database.js";
import type { OrgUsersTable } from "./tables.js";
import { decodeCursor, encodeCursor, likePattern } from "../db/paging.js";
import { effectiveProfileSql, type PlacementPolicy } from "../profiles/placement.js";

export type Role = "admin" | "user";

export interface OrgUser {
  id: string;
  orgId: string;
  email: string;
  displayName: string;
  role: Role;
  addedBy: string;
  addedAt: string;
  /** The admin's explicit profile; null when the rules, Automatic or the default decide. */
  profileId: string | null;
  /** Where the check engine last placed the user, and how it knows. */
  placedProfileId: string | null;
  placementReason: string | null;
  placedAt: string | null;
}

/** Per effective profile: its users and what their latest checks answered. */
export interface ProfileTally {
  profileId: string;
  users: number;
  lastCheckedAt: string | null;
  ok: number;
  warning: number;
  failing: number;
  neverChecked: number;
}

export type CheckSeverity = "ok" | "warning" | "error" | "transient";

/** A listed user with their latest check result, as the Users list shows it. */
export interface ListedOrgUser extends OrgUser {
  lastCheck: { category: string; severity: CheckSeverity; checkedAt: string } | null;
}

export interface NewOrgUser {
  email: string;
  displayName: string;
  role: Role;
  /** The explicit profile; absent or null: none. */
  profileId?: string | null;
}

function toOrgUser(row: OrgUsersTable): OrgUser {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    addedBy: row.added_by,
    addedAt: row.added_at,
    profileId: row.profile_id,
    placedProfileId: row.placed_profile_id,
    placementReason: row.placement_reason,
    placedAt: row.placed_at,
  };
}

const PLACEMENT_COLUMNS = {
  emailNormalized: "u.email_normalized",
  explicitProfileId: "u.profile_id",
  placedProfileId: "u.placed_profile_id",
};

/** Rows per INSERT: keeps each statement well under SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_BATCH = 1000;

export function orgUsersRepository(db: Db, now: () => Date) {
  function row(orgId: string, user: NewOrgUser, addedBy: string, addedAt: string): OrgUsersTable {
    return {
      id: randomUUID(),
      org_id: orgId,
      email: user.email,
      email_normalized: user.email.toLowerCase(),
      display_name: user.displayName,
      role: user.role,
      added_by: addedBy,
      added_at: addedAt,
      profile_id: user.profileId ?? null,
      placed_profile_id: null,
      placement_reason: null,
      placed_at: null,
    };
  }

  return {
    /** A page in email order, each user with the latest check result the checks recorded for them. */
    async list(
      orgId: string,
      options: {
        search?: string;
        status?: CheckSeverity | "never_checked";
        /** Only the users this profile checks, under `policy`. */
        profile?: { profileId: string; policy: PlacementPolicy };
        cursor?: string;
        limit: number;
      },
    ): Promise<{ items: ListedOrgUser[]; nextCursor: string | null }> {
      const after = decodeCursor(options.cursor, 2);
      let query = db
        .selectFrom("org_users as u")
        // user_mailbox_status is the checks' record of each user's latest result, keyed by org and user.
        .leftJoin("user_mailbox_status as s", (join) =>
          join.onRef("s.org_id", "=", "u.org_id").onRef("s.user_id", "=", "u.id"),
        )
        .selectAll("u")
        .select(["s.category as check_category", "s.severity as check_severity", "s.checked_at as check_checked_at"])
        .where("u.org_id", "=", orgId);
      if (options.search) {
        const pattern = likePattern(options.search);
        query = query.where((eb) =>
          eb.or([
            eb(sql`u.email_normalized`, "like", sql`${pattern} escape '\\'`),
            eb(sql`lower(u.display_name)`, "like", sql`${pattern} escape '\\'`),
          ]),
        );
      }
      if (options.profile) {
        const effective = effectiveProfileSql(options.profile.policy, PLACEMENT_COLUMNS);
        query = query.where(sql<boolean>`${effective} = ${options.profile.profileId}`);
      }
      if (options.status === "never_checked") query = query.where("s.severity", "is", null);
      else if (options.status) query = query.where("s.severity", "=", options.status);
      if (after) {
        const [email, id] = after as [string, string];
        query = query.where((eb) =>
          eb.or([
            eb("u.email_normalized", ">", email),
            eb.and([eb("u.email_normalized", "=", email), eb("u.id", ">", id)]),
          ]),
        );
      }
      const rows = await query
        .orderBy("u.email_normalized")
        .orderBy("u.id")
        .limit(options.limit + 1)
        .execute();
      const page = rows.slice(0, options.limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => ({
          ...toOrgUser(row),
          lastCheck:
            row.check_severity && row.check_category && row.check_checked_at
              ? { category: row.check_category, severity: row.check_severity, checkedAt: row.check_checked_at }
              : null,
        })),
        nextCursor: rows.length > options.limit && last ? encodeCursor([last.email_normalized, last.id]) : null,
      };
    },

    async get(orgId: string, userId: string): Promise<OrgUser | null> {
      const found = await db
        .selectFrom("org_users")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("id", "=", userId)
        .executeTakeFirst();
      return found ? toOrgUser(found) : null;
    },

    async findByEmail(orgId: string, email: string): Promise<OrgUser | null> {
      const found = await db
        .selectFrom("org_users")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("email_normalized", "=", email.toLowerCase())
        .executeTakeFirst();
      return found ? toOrgUser(found) : null;
    },

    /** Every normalized email of the organization: the bulk import checks duplicates against it in memory. */
    async emailsOf(orgId: string): Promise<Set<string>> {
      const rows = await db.selectFrom("org_users").select("email_normalized").where("org_id", "=", orgId).execute();
      return new Set(rows.map((r) => r.email_normalized));
    },

    async add(orgId: string, user: NewOrgUser, addedBy: string): Promise<OrgUser> {
      const values = row(orgId, user, addedBy, now().toISOString());
      await db.insertInto("org_users").values(values).execute();
      return toOrgUser(values);
    },

    /** Inserts many users in batched statements; the caller wraps it in the transaction. */
    async addMany(orgId: string, users: readonly NewOrgUser[], addedBy: string): Promise<number> {
      const addedAt = now().toISOString();
      for (let start = 0; start < users.length; start += INSERT_BATCH) {
        const batch = users.slice(start, start + INSERT_BATCH).map((user) => row(orgId, user, addedBy, addedAt));
        await db.insertInto("org_users").values(batch).execute();
      }
      return users.length;
    },

    async update(
      orgId: string,
      userId: string,
      changes: { displayName?: string; role?: Role; profileId?: string | null },
    ): Promise<void> {
      const set: Partial<OrgUsersTable> = {};
      if (changes.displayName !== undefined) set.display_name = changes.displayName;
      if (changes.role !== undefined) set.role = changes.role;
      if (changes.profileId !== undefined) set.profile_id = changes.profileId;
      if (Object.keys(set).length === 0) return;
      await db.updateTable("org_users").set(set).where("org_id", "=", orgId).where("id", "=", userId).execute();
    },

    async remove(orgId: string, userId: string): Promise<boolean> {
      const result = await db
        .deleteFrom("org_users")
        .where("org_id", "=", orgId)
        .where("id", "=", userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Every user's placement facts: the check engine's effectiveProfiles reads them. */
    async placementFacts(orgId: string): Promise<OrgUser[]> {
      const rows = await db.selectFrom("org_users").selectAll().where("org_id", "=", orgId).execute();
      return rows.map(toOrgUser);
    },

    /** Which of `userIds` are users of the organization. */
    async existingIds(orgId: string, userIds: readonly string[]): Promise<Set<string>> {
      const found = new Set<string>();
      for (let start = 0; start < userIds.length; start += INSERT_BATCH) {
        const rows = await db
          .selectFrom("org_users")
          .select("id")
          .where("org_id", "=", orgId)
          .where("id", "in", userIds.slice(start, start + INSERT_BATCH))
          .execute();
        for (const row of rows) found.add(row.id);
      }
      return found;
    },

    /** Pins users to a profile (null: unpins them); the caller wraps it in the transaction. */
    async setExplicitProfile(orgId: string, userIds: readonly string[], profileId: string | null): Promise<number> {
      let moved = 0;
      for (let start = 0; start < userIds.length; start += INSERT_BATCH) {
        const result = await db
          .updateTable("org_users")
          .set({ profile_id: profileId })
          .where("org_id", "=", orgId)
          .where("id", "in", userIds.slice(start, start + INSERT_BATCH))
          .executeTakeFirst();
        moved += Number(result.numUpdatedRows);
      }
      return moved;
    },

    /** Records where the check engine placed a user (Automatic), and how it knows. */
    async recordPlacement(
      orgId: string,
      userId: string,
      placement: { profileId: string; reason: string },
    ): Promise<boolean> {
      const result = await db
        .updateTable("org_users")
        .set({
          placed_profile_id: placement.profileId,
          placement_reason: placement.reason,
          placed_at: now().toISOString(),
        })
        .where("org_id", "=", orgId)
        .where("id", "=", userId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** How many users have an address at `domain` (a placement rule must match at least one). */
    async countAtDomain(orgId: string, domain: string): Promise<number> {
      const result = await db
        .selectFrom("org_users")
        .select((eb) => eb.fn.countAll<string | number>().as("count"))
        .where("org_id", "=", orgId)
        .where(sql<boolean>`email_normalized like ${`%@${domain}`}`)
        .executeTakeFirstOrThrow();
      return Number(result.count);
    },

    /** Users per effective profile under `policy`, with their latest check results (the profiles list). */
    async profileTallies(orgId: string, policy: PlacementPolicy): Promise<ProfileTally[]> {
      const effective = effectiveProfileSql(policy, PLACEMENT_COLUMNS);
      const rows = await db
        .selectFrom("org_users as u")
        .leftJoin("user_mailbox_status as s", (join) =>
          join.onRef("s.org_id", "=", "u.org_id").onRef("s.user_id", "=", "u.id"),
        )
        .select([
          effective.as("profile_id"),
          sql<string | number>`count(*)`.as("users"),
          sql<string | null>`max(s.checked_at)`.as("last_checked_at"),
          sql<string | number>`sum(case when s.severity = 'ok' then 1 else 0 end)`.as("ok"),
          sql<string | number>`sum(case when s.severity = 'warning' then 1 else 0 end)`.as("warning"),
          sql<string | number>`sum(case when s.severity in ('error', 'transient') then 1 else 0 end)`.as("failing"),
          sql<string | number>`sum(case when s.severity is null then 1 else 0 end)`.as("never_checked"),
        ])
        .where("u.org_id", "=", orgId)
        // By position: PostgreSQL would not see the CASE in GROUP BY, with its own parameters, as the selected one.
        .groupBy(sql`1`)
        .execute();
      return rows.map((row) => ({
        profileId: row.profile_id,
        users: Number(row.users),
        lastCheckedAt: row.last_checked_at,
        ok: Number(row.ok),
        warning: Number(row.warning),
        failing: Number(row.failing),
        neverChecked: Number(row.never_checked),
      }));
    },

    async adminCount(orgId: string): Promise<number> {
      const result = await db
        .selectFrom("org_users")
        .select((eb) => eb.fn.countAll<string | number>().as("count"))
        .where("org_id", "=", orgId)
        .where("role", "=", "admin")
        .executeTakeFirstOrThrow();
      return Number(result.count);
    },
  };
}

export type OrgUsersRepository = ReturnType<typeof orgUsersRepository>;
