/** The organization's placement settings (Automatic on or off) and its ordered rules, replaced as a whole. */
import { randomUUID } from "node:crypto";
import type { Db } from "../db/database.js";
import type {} from "./tables.js";
import type { PlacementRuleKind } from "../../contract/profiles.js";
import type { PlacementRule } from "./placement.js";

export interface StoredPlacement {
  automatic: boolean;
  rules: PlacementRule[];
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

export function profilePlacementRepository(db: Db, now: () => Date) {
  return {
    async get(orgId: string): Promise<StoredPlacement> {
      const settings = await db
        .selectFrom("profile_placement")
        .selectAll()
        .where("org_id", "=", orgId)
        .executeTakeFirst();
      const rules = await db
        .selectFrom("profile_rules")
        .select(["kind", "value", "profile_id"])
        .where("org_id", "=", orgId)
        .orderBy("position")
        .execute();
      return {
        automatic: Number(settings?.automatic ?? 0) === 1,
        rules: rules.map((rule) => ({
          kind: rule.kind as PlacementRuleKind,
          value: rule.value,
          profileId: rule.profile_id,
        })),
        version: settings?.version ?? 0,
        updatedBy: settings?.updated_by ?? null,
        updatedAt: settings?.updated_at ?? null,
      };
    },

    /** Replaces the placement if its version is still `expectedVersion`; false when another admin saved first. */
    async save(
      orgId: string,
      next: { automatic: boolean; rules: readonly PlacementRule[] },
      expectedVersion: number,
      actor: string,
    ): Promise<boolean> {
      const values = {
        automatic: next.automatic ? 1 : 0,
        version: expectedVersion + 1,
        updated_by: actor,
        updated_at: now().toISOString(),
      };
      if (expectedVersion === 0) {
        const inserted = await db
          .insertInto("profile_placement")
          .values({ org_id: orgId, ...values })
          .onConflict((oc) => oc.column("org_id").doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      } else {
        const updated = await db
          .updateTable("profile_placement")
          .set(values)
          .where("org_id", "=", orgId)
          .where("version", "=", expectedVersion)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return false;
      }
      await db.deleteFrom("profile_rules").where("org_id", "=", orgId).execute();
      if (next.rules.length > 0) {
        await db
          .insertInto("profile_rules")
          .values(
            next.rules.map((rule, position) => ({
              id: randomUUID(),
              org_id: orgId,
              position,
              kind: rule.kind,
              value: rule.value,
              profile_id: rule.profileId,
            })),
          )
          .execute();
      }
      return true;
    },
  };
}

export type ProfilePlacementRepository = ReturnType<typeof profilePlacementRepository>;
