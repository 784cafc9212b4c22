/**
 * The profile words of a stored result: which profile checked the user (rows before migration 029 name none: the
 * default checked them), the suggested profile by name, and the remedy, which for a mailbox found elsewhere says
 * where to move the user or which profile to add. Shared by the results page and the CSV.
 */
import { CATEGORIES } from "../../contract/categories.js";
import { placementRemedy } from "../profiles/placement.js";
import { placementTargetsOf } from "../profiles/service.js";
import type { Repositories } from "../repositories.js";
import type { CheckResultRecord } from "./engine/types.js";

export interface ResultProfileNames {
  defaultProfileId: string | null;
  names: ReadonlyMap<string, string>;
}

export async function resultProfileNames(repos: Repositories, orgId: string): Promise<ResultProfileNames> {
  // An organization that never saved a configuration still has its (empty) default profile, which checked it.
  await repos.emailConfigs.ensureDefault(orgId);
  const targets = await placementTargetsOf(repos, orgId);
  return {
    defaultProfileId: targets.find((target) => target.isDefault)?.profileId ?? null,
    names: new Map(targets.map((target) => [target.profileId, target.name])),
  };
}

export interface ResultProfileWords {
  profile: string;
  suggestedProfile: string | null;
  suggestedProfileId: string | null;
  remedy: string;
}

export function resultProfileWords(result: CheckResultRecord, view: ResultProfileNames): ResultProfileWords {
  const checkedBy = result.profileId ?? view.defaultProfileId;
  // A profile deleted since keeps its results; they say so instead of a name.
  const profile = checkedBy === null ? "" : (view.names.get(checkedBy) ?? "A deleted profile");
  const suggestedProfileId = result.suggestedProfileId ?? null;
  const suggestedProfile = suggestedProfileId === null ? null : (view.names.get(suggestedProfileId) ?? null);
  const placement = result.placement ?? null;
  return {
    profile,
    suggestedProfile,
    suggestedProfileId: suggestedProfile === null ? null : suggestedProfileId,
    remedy:
      placement === null ? CATEGORIES[result.category].remedy : placementRemedy(placement.where, suggestedProfile),
  };
}
