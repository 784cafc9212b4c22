import type { Db } from "../db/database.js";
import type { CanaryDto, CanaryVerdict, CanaryVerdictDto, LeakedCapability } from "../../contract/canaries.js";
import { isCategoryId } from "../../contract/categories.js";
import type { CanariesTable, CanaryVerdictsTable } from "./tables.js";

function toCanary(row: CanariesTable): CanaryDto {
  return { id: row.id, address: row.address, addedBy: row.added_by, addedAt: row.added_at };
}

function toVerdict(row: CanaryVerdictsTable): CanaryVerdictDto {
  return {
    address: row.address,
    verdict: row.verdict as CanaryVerdict,
    category: isCategoryId(row.category) ? row.category : "unknown_error",
    leaked: JSON.parse(row.leaked_json) as LeakedCapability[],
    cause: row.cause,
    remedy: row.remedy,
    detail: row.detail,
    checkedAt: row.checked_at,
  };
}

/** The organization's canaries and its runs' verdicts on them; every read and write names the organization. */
export function canariesRepository(db: Db) {
  return {
    async list(orgId: string): Promise<CanaryDto[]> {
      const rows = await db.selectFrom("canaries").selectAll().where("org_id", "=", orgId).orderBy("address").execute();
      return rows.map(toCanary);
    },

    async count(orgId: string): Promise<number> {
      const row = await db
        .selectFrom("canaries")
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .where("org_id", "=", orgId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async findByAddress(orgId: string, address: string): Promise<CanaryDto | null> {
      const row = await db
        .selectFrom("canaries")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("address", "=", address.toLowerCase())
        .executeTakeFirst();
      return row === undefined ? null : toCanary(row);
    },

    async add(orgId: string, canary: CanaryDto): Promise<void> {
      await db
        .insertInto("canaries")
        .values({
          id: canary.id,
          org_id: orgId,
          address: canary.address.toLowerCase(),
          added_by: canary.addedBy,
          added_at: canary.addedAt,
        })
        .execute();
    },

    async remove(orgId: string, canaryId: string): Promise<CanaryDto | null> {
      const row = await db
        .selectFrom("canaries")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("id", "=", canaryId)
        .executeTakeFirst();
      if (row === undefined) return null;
      await db.deleteFrom("canaries").where("org_id", "=", orgId).where("id", "=", canaryId).execute();
      return toCanary(row);
    },

    /** Replaces the run's verdicts (a resumed run probes again). */
    async recordVerdicts(orgId: string, runId: string, verdicts: readonly CanaryVerdictDto[]): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom("canary_verdicts").where("org_id", "=", orgId).where("run_id", "=", runId).execute();
        if (verdicts.length === 0) return;
        await tx
          .insertInto("canary_verdicts")
          .values(
            verdicts.map((verdict) => ({
              run_id: runId,
              org_id: orgId,
              address: verdict.address,
              verdict: verdict.verdict,
              category: verdict.category,
              leaked_json: JSON.stringify(verdict.leaked),
              cause: verdict.cause,
              remedy: verdict.remedy,
              detail: verdict.detail,
              checked_at: verdict.checkedAt,
            })),
          )
          .execute();
      });
    },

    async verdictsOf(orgId: string, runId: string): Promise<CanaryVerdictDto[]> {
      const rows = await db
        .selectFrom("canary_verdicts")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("run_id", "=", runId)
        .orderBy("address")
        .execute();
      return rows.map(toVerdict);
    },
  };
}

export type CanariesRepository = ReturnType<typeof canariesRepository>;
