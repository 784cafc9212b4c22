import type { Db } from "../db/database.js";
import type { ReachFilter, SidebarReachDto, SidebarReportInput, UserReachDto } from "../../contract/reach.js";
import type { SidebarReachTable } from "./tables.js";

function toReach(row: SidebarReachTable): SidebarReachDto {
  return {
    reportedAt: row.reported_at,
    client: row.client,
    platform: row.platform,
    clientVersion: row.client_version,
    addinVersion: row.addin_version,
    manifest: row.manifest as SidebarReachDto["manifest"],
    mailboxVersion: row.mailbox_version,
    nestedAppAuth: row.nested_app_auth === 1,
    signInPath: row.sign_in_path as SidebarReachDto["signInPath"],
    signInFailure: row.sign_in_failure,
  };
}

/** Each user's latest sidebar report; every read and write names its organization. */
export function sidebarReachRepository(db: Db) {
  return {
    /** Stores the report unless the user reported after `notBefore`; true when stored. */
    async record(orgId: string, userId: string, report: SidebarReportInput, at: string, notBefore: string) {
      const last = await db
        .selectFrom("sidebar_reach")
        .select("reported_at")
        .where("org_id", "=", orgId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      if (last && last.reported_at > notBefore) return false;
      const values: SidebarReachTable = {
        org_id: orgId,
        user_id: userId,
        reported_at: at,
        client: report.client,
        platform: report.platform,
        client_version: report.clientVersion,
        addin_version: report.addinVersion,
        manifest: report.manifest,
        mailbox_version: report.mailboxVersion,
        nested_app_auth: report.nestedAppAuth ? 1 : 0,
        sign_in_path: report.signInPath,
        sign_in_failure: report.signInFailure,
      };
      const { org_id: _org, user_id: _user, ...changes } = values;
      await db
        .insertInto("sidebar_reach")
        .values(values)
        .onConflict((oc) => oc.columns(["org_id", "user_id"]).doUpdateSet(changes))
        .execute();
      return true;
    },

    /** Deletes every report older than `before` (all organizations): the retention limit. */
    async purge(before: string): Promise<number> {
      const result = await db.deleteFrom("sidebar_reach").where("reported_at", "<", before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** The org's users with their report: those with one, or those matching `filter`, in email order. */
    async users(orgId: string, filter: ReachFilter | undefined): Promise<UserReachDto[]> {
      let query = db
        .selectFrom("org_users as u")
        .leftJoin("sidebar_reach as r", (join) =>
          join.onRef("r.user_id", "=", "u.id").onRef("r.org_id", "=", "u.org_id"),
        )
        .select(["u.id", "u.email", "u.display_name"])
        .selectAll("r")
        .where("u.org_id", "=", orgId);
      if (filter === "never_opened") query = query.where("r.user_id", "is", null);
      else if (filter === "sign_in_failing") query = query.where("r.sign_in_failure", "is not", null);
      else query = query.where("r.user_id", "is not", null);
      const rows = await query.orderBy("u.email_normalized").orderBy("u.id").execute();
      return rows.map((row) => ({
        userId: row.id,
        email: row.email,
        displayName: row.display_name,
        sidebar: row.reported_at === null ? null : toReach(row as unknown as SidebarReachTable),
      }));
    },

    /** Users whose mailbox is connected (latest check ok), with the client and time of their report, if any. */
    async connectedUsers(orgId: string) {
      return db
        .selectFrom("user_mailbox_status as s")
        .innerJoin("org_users as u", (join) => join.onRef("u.id", "=", "s.user_id").onRef("u.org_id", "=", "s.org_id"))
        .leftJoin("sidebar_reach as r", (join) =>
          join.onRef("r.user_id", "=", "s.user_id").onRef("r.org_id", "=", "s.org_id"),
        )
        .select(["u.added_at", "r.reported_at", "r.client", "r.platform"])
        .where("s.org_id", "=", orgId)
        .where("s.severity", "=", "ok")
        .execute();
    },

    /** How many users' latest report since `since` carries a sign-in failure. */
    async signInFailing(orgId: string, since: string): Promise<number> {
      const row = await db
        .selectFrom("sidebar_reach")
        .select((eb) => eb.fn.countAll<string | number>().as("n"))
        .where("org_id", "=", orgId)
        .where("reported_at", ">=", since)
        .where("sign_in_failure", "is not", null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type SidebarReachRepository = ReturnType<typeof sidebarReachRepository>;
