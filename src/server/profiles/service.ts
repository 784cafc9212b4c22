/**
 * Connection profiles and placement as the routes, the users domain and (later) the check engine reach them: the
 * profiles' list, create, read, update, rename, delete and set-default, each audited in its transaction; the
 * organization's placement (rules and Automatic); and the one answer to "which profile checks this user"
 * (`profileForUser`, `effectiveProfiles`), decided by placement.ts.
 */
import type { EmailConfigInput } from "../../contract/api.js";
import type { AccessTypeId } from "../../contract/accessTypes.js";
import { mailboxPlaceOf, type MailboxPlace } from "../../contract/exchangeOnline.js";
import { displayNameProblem } from "../../contract/displayName.js";
import {
  MAX_PLACEMENT_RULES,
  MAX_PROFILES,
  MAX_PROFILE_NAME_LENGTH,
  PLACEMENT_RULE_KINDS,
  type ConnectionProfileDto,
  type ConnectionProfileListDto,
  type ProfilePlacementDto,
  type ProfilePlacementInput,
  type MoveToSuggestedResultDto,
  type UserProfileDto,
} from "../../contract/profiles.js";
import { recordAudit } from "../audit/service.js";
import {
  emptyEmailConfig,
  planEmailConfigChange,
  toEmailConfigDto,
  type EmailConfigChanges,
  type EmailConfigSummary,
  type UrlGuard,
} from "../emailConfig/service.js";
import { HttpError, conflict, preconditionFailed, unprocessable, type FieldError } from "../errors.js";
import type { Repositories } from "../repositories.js";
import type { OrgUser } from "../users/repository.js";
import type { ProfileSuggestion } from "../checks/mailboxStatus.js";
import {
  mailDomainOf,
  placeUser,
  type Placement,
  type PlacementPolicy,
  type PlacementRule,
  type PlacementTarget,
  placeName,
} from "./placement.js";

export type { Placement, PlacementPolicy } from "./placement.js";

export function toConnectionProfileDto(summary: EmailConfigSummary): ConnectionProfileDto {
  return { ...toEmailConfigDto(summary), id: summary.profileId, name: summary.name, isDefault: summary.isDefault };
}

/** What is wrong with a profile name, or null. */
export function profileNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === "") return "is required";
  if (trimmed.length > MAX_PROFILE_NAME_LENGTH) return `must be at most ${MAX_PROFILE_NAME_LENGTH} characters`;
  return displayNameProblem(trimmed);
}

/** 404 naming the field: also the answer for a profile of another organization. */
export const profileNotFound = () =>
  new HttpError(404, "Not Found", "Connection profile was not found in this organization.", [
    { field: "profileId", message: "is not a profile of this organization" },
  ]);

async function requireProfile(repos: Repositories, orgId: string, profileId: string) {
  const profile = await repos.emailConfigs.profile(orgId, profileId);
  if (!profile) throw profileNotFound();
  return profile;
}

async function assertNameFree(repos: Repositories, orgId: string, name: string, self: string | null) {
  const problem = profileNameProblem(name);
  if (problem !== null) throw unprocessable([{ field: "name", message: problem }]);
  const holder = await repos.emailConfigs.byName(orgId, name);
  if (holder && holder.profileId !== self) {
    throw conflict(`A profile named “${holder.name}” already exists in this organization.`, [
      { field: "name", message: `is already the name of another profile (“${holder.name}”)` },
    ]);
  }
}

async function summaryOf(repos: Repositories, orgId: string, profileId: string): Promise<ConnectionProfileDto> {
  return toConnectionProfileDto((await repos.emailConfigs.profileSummary(orgId, profileId))!);
}

/** The organization's placement policy (its default profile is created when it has none yet). */
export async function placementPolicyOf(repos: Repositories, orgId: string): Promise<PlacementPolicy> {
  const defaultProfile = await repos.emailConfigs.ensureDefault(orgId);
  const stored = await repos.profilePlacement.get(orgId);
  return { defaultProfileId: defaultProfile.profileId, automatic: stored.automatic, rules: stored.rules };
}

/** Every profile with its users and what their latest checks answered. */
export async function listProfiles(repos: Repositories, orgId: string): Promise<ConnectionProfileListDto> {
  const policy = await placementPolicyOf(repos, orgId);
  const profiles = await repos.emailConfigs.list(orgId);
  const tallies = new Map((await repos.users.profileTallies(orgId, policy)).map((tally) => [tally.profileId, tally]));
  return {
    items: profiles.map((profile) => {
      const tally = tallies.get(profile.profileId);
      return {
        id: profile.profileId,
        name: profile.name,
        isDefault: profile.isDefault,
        accessType: profile.accessType,
        userCount: tally?.users ?? 0,
        lastCheck:
          tally?.lastCheckedAt == null
            ? null
            : {
                checkedAt: tally.lastCheckedAt,
                ok: tally.ok,
                warning: tally.warning,
                failing: tally.failing,
                neverChecked: tally.neverChecked,
              },
        version: profile.version,
        updatedAt: profile.updatedAt,
      };
    }),
  };
}

export async function readProfile(repos: Repositories, orgId: string, profileId: string) {
  const summary = await repos.emailConfigs.profileSummary(orgId, profileId);
  if (!summary) throw profileNotFound();
  return toConnectionProfileDto(summary);
}

function configErrors(errors: FieldError[], prefix: string): never {
  throw unprocessable(errors.map((error) => ({ ...error, field: `${prefix}${error.field}` })));
}

/** A new profile: a unique name, and optionally its configuration, validated exactly like PUT email-config. */
export async function createProfile(
  repos: Repositories,
  change: { orgId: string; name: string; config?: EmailConfigInput | undefined; actor: string },
  guardUrl: UrlGuard,
): Promise<ConnectionProfileDto> {
  const { orgId, actor } = change;
  let changes: EmailConfigChanges | null = null;
  if (change.config !== undefined) {
    const plan = await planEmailConfigChange(emptyEmailConfig(orgId), change.config, guardUrl);
    if ("errors" in plan) configErrors(plan.errors, "config.");
    changes = plan.changes;
  }
  return repos.transaction(async (tx) => {
    await tx.emailConfigs.ensureDefault(orgId);
    await assertNameFree(tx, orgId, change.name, null);
    if ((await tx.emailConfigs.list(orgId)).length >= MAX_PROFILES) {
      throw conflict(`An organization holds at most ${MAX_PROFILES} profiles.`, [
        { field: "name", message: `would make more than ${MAX_PROFILES} profiles` },
      ]);
    }
    const created = await tx.emailConfigs.create(orgId, change.name, changes, actor);
    const dto = await summaryOf(tx, orgId, created.profileId);
    await recordAudit(tx, { orgId, actor, action: "profile.create", target: dto.name, after: dto });
    return dto;
  });
}

/** Saves a profile's configuration over `expectedVersion` (412 when stale, 422 naming each field). */
export async function updateProfile(
  repos: Repositories,
  change: { orgId: string; profileId: string; input: EmailConfigInput; expectedVersion: number; actor: string },
  guardUrl: UrlGuard,
): Promise<ConnectionProfileDto> {
  const { orgId, profileId, expectedVersion, actor } = change;
  const current = await requireProfile(repos, orgId, profileId);
  if (current.version !== expectedVersion) {
    throw preconditionFailed(`The profile changed since version ${expectedVersion}; it is now ${current.version}.`);
  }
  const plan = await planEmailConfigChange(current, change.input, guardUrl);
  if ("errors" in plan) throw unprocessable(plan.errors);
  return repos.transaction(async (tx) => {
    const before = await summaryOf(tx, orgId, profileId);
    const next = await tx.emailConfigs.saveProfile(orgId, profileId, plan.changes, expectedVersion, actor);
    if (!next) throw preconditionFailed("Another administrator saved the profile first; reload it.");
    const after = await summaryOf(tx, orgId, profileId);
    await recordAudit(tx, {
      orgId,
      actor,
      action: "profile.update",
      target: after.name,
      before,
      after: {
        ...after,
        passwordChanged: plan.changes.password.kind === "set",
        clientSecretChanged: plan.changes.clientSecret.kind === "set",
      },
    });
    return after;
  });
}

export async function renameProfile(
  repos: Repositories,
  change: { orgId: string; profileId: string; name: string; expectedVersion: number; actor: string },
): Promise<ConnectionProfileDto> {
  const { orgId, profileId, expectedVersion, actor } = change;
  return repos.transaction(async (tx) => {
    const current = await requireProfile(tx, orgId, profileId);
    await assertNameFree(tx, orgId, change.name, profileId);
    if (current.version !== expectedVersion) {
      throw preconditionFailed(`The profile changed since version ${expectedVersion}; it is now ${current.version}.`);
    }
    const renamed = await tx.emailConfigs.rename(orgId, profileId, change.name, expectedVersion, actor);
    if (!renamed) throw preconditionFailed("Another administrator changed the profile first; reload it.");
    await recordAudit(tx, {
      orgId,
      actor,
      action: "profile.rename",
      target: renamed.name,
      before: { id: profileId, name: current.name },
      after: { id: profileId, name: renamed.name },
    });
    return summaryOf(tx, orgId, profileId);
  });
}

/** Deletes a profile: never the default, never one that checks users or that a rule places users in (409). */
export async function deleteProfile(
  repos: Repositories,
  change: { orgId: string; profileId: string; actor: string },
): Promise<void> {
  const { orgId, profileId, actor } = change;
  await repos.transaction(async (tx) => {
    const current = await requireProfile(tx, orgId, profileId);
    if (current.isDefault) {
      throw conflict(`“${current.name}” is the default profile and cannot be deleted.`, [
        { field: "profileId", message: "is the default profile: make another profile the default first" },
      ]);
    }
    const policy = await placementPolicyOf(tx, orgId);
    const ruleIndexes = policy.rules.flatMap((rule, index) => (rule.profileId === profileId ? [index] : []));
    if (ruleIndexes.length > 0) {
      throw conflict(`Placement rules place users in “${current.name}”.`, [
        {
          field: "profileId",
          message: `is the profile of placement rule${ruleIndexes.length > 1 ? "s" : ""} ${ruleIndexes
            .map((index) => `rules[${index}]`)
            .join(", ")}: change the placement first`,
        },
      ]);
    }
    const users = (await tx.users.profileTallies(orgId, policy)).find((tally) => tally.profileId === profileId);
    if (users && users.users > 0) {
      throw conflict(`${users.users} users are checked through “${current.name}”.`, [
        {
          field: "profileId",
          message: `still checks ${users.users} user${users.users > 1 ? "s" : ""}: move them to another profile first`,
        },
      ]);
    }
    const before = await summaryOf(tx, orgId, profileId);
    await tx.emailConfigs.remove(orgId, profileId);
    await recordAudit(tx, { orgId, actor, action: "profile.delete", target: current.name, before });
  });
}

/** Makes a profile the organization's default: the Email Configuration tab and check runs then use it. */
export async function setDefaultProfile(
  repos: Repositories,
  change: { orgId: string; profileId: string; actor: string },
): Promise<ConnectionProfileDto> {
  const { orgId, profileId, actor } = change;
  return repos.transaction(async (tx) => {
    const previous = await tx.emailConfigs.ensureDefault(orgId);
    const next = await requireProfile(tx, orgId, profileId);
    if (!next.isDefault) {
      await tx.emailConfigs.setDefault(orgId, profileId);
      await recordAudit(tx, {
        orgId,
        actor,
        action: "profile.set_default",
        target: next.name,
        before: { id: previous.profileId, name: previous.name },
        after: { id: next.profileId, name: next.name },
      });
    }
    return summaryOf(tx, orgId, profileId);
  });
}

function toPlacementDto(stored: Awaited<ReturnType<Repositories["profilePlacement"]["get"]>>): ProfilePlacementDto {
  return {
    automatic: stored.automatic,
    rules: stored.rules.map((rule) => ({ ...rule })),
    version: stored.version,
    updatedBy: stored.updatedBy,
    updatedAt: stored.updatedAt,
  };
}

export async function readPlacement(repos: Repositories, orgId: string): Promise<ProfilePlacementDto> {
  return toPlacementDto(await repos.profilePlacement.get(orgId));
}

/** A mail domain as rules hold it: letters, digits, hyphens, dot-separated labels. */
const MAIL_DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * Replaces the placement over `expectedVersion`. Each rule must name a mail domain, a profile of this organization
 * and match at least one user (422 naming `rules[i].value` / `rules[i].profileId`); nothing is stored otherwise.
 */
export async function savePlacement(
  repos: Repositories,
  change: { orgId: string; input: ProfilePlacementInput; expectedVersion: number; actor: string },
): Promise<ProfilePlacementDto> {
  const { orgId, input, expectedVersion, actor } = change;
  return repos.transaction(async (tx) => {
    const before = await tx.profilePlacement.get(orgId);
    if (before.version !== expectedVersion) {
      throw preconditionFailed(`The placement changed since version ${expectedVersion}; it is now ${before.version}.`);
    }
    const errors: FieldError[] = [];
    if (input.rules.length > MAX_PLACEMENT_RULES) {
      errors.push({ field: "rules", message: `must hold at most ${MAX_PLACEMENT_RULES} rules` });
    }
    const profiles = new Set((await tx.emailConfigs.list(orgId)).map((profile) => profile.profileId));
    const seen = new Map<string, number>();
    const rules: PlacementRule[] = [];
    for (const [index, rule] of input.rules.entries()) {
      const value = rule.value.trim().toLowerCase().replace(/^@/, "");
      if (!(PLACEMENT_RULE_KINDS as readonly string[]).includes(rule.kind)) {
        errors.push({ field: `rules[${index}].kind`, message: `must be one of ${PLACEMENT_RULE_KINDS.join(", ")}` });
        continue;
      }
      if (!profiles.has(rule.profileId)) {
        errors.push({ field: `rules[${index}].profileId`, message: "is not a profile of this organization" });
      }
      if (!MAIL_DOMAIN.test(value)) {
        errors.push({ field: `rules[${index}].value`, message: "must be a mail domain, e.g. contoso.com" });
      } else if (seen.has(value)) {
        errors.push({ field: `rules[${index}].value`, message: `repeats rules[${seen.get(value) ?? 0}]` });
      } else if ((await tx.users.countAtDomain(orgId, value)) === 0) {
        errors.push({ field: `rules[${index}].value`, message: `matches no user of this organization (@${value})` });
      }
      seen.set(value, index);
      rules.push({ kind: rule.kind, value, profileId: rule.profileId });
    }
    if (errors.length > 0) throw unprocessable(errors);
    if (!(await tx.profilePlacement.save(orgId, { automatic: input.automatic, rules }, expectedVersion, actor))) {
      throw preconditionFailed("Another administrator saved the placement first; reload it.");
    }
    const after = await tx.profilePlacement.get(orgId);
    await recordAudit(tx, {
      orgId,
      actor,
      action: "profile_placement.update",
      target: null,
      before: toPlacementDto(before),
      after: toPlacementDto(after),
    });
    return toPlacementDto(after);
  });
}

/** What a user's DTO needs to say which profile checks them: the policy and the profiles' names. */
export interface ProfileView {
  policy: PlacementPolicy;
  names: ReadonlyMap<string, string>;
  /** Users whose latest check suggests another profile, by user id (absent: none known). */
  suggestions?: ReadonlyMap<string, ProfileSuggestion>;
}

export async function profileViewOf(repos: Repositories, orgId: string): Promise<ProfileView> {
  const policy = await placementPolicyOf(repos, orgId);
  const names = new Map((await repos.emailConfigs.list(orgId)).map((profile) => [profile.profileId, profile.name]));
  const suggestions = new Map(
    (await repos.mailboxStatus.suggestions(orgId))
      // A suggestion naming a profile deleted since suggests nothing.
      .filter((suggestion) => names.has(suggestion.suggestedProfileId))
      .map((suggestion) => [suggestion.userId, suggestion]),
  );
  return { policy, names, suggestions };
}

/** The user's suggested profile when it is not the one that checks them now; null otherwise. */
function suggestionFor(userId: string, placement: Placement, view: ProfileView): ProfileSuggestion | null {
  const suggestion = view.suggestions?.get(userId) ?? null;
  return suggestion === null || suggestion.suggestedProfileId === placement.profileId ? null : suggestion;
}

const factsOf = (user: OrgUser) => ({
  email: user.email,
  explicitProfileId: user.profileId,
  placedProfileId: user.placedProfileId,
  placementReason: user.placementReason,
});

export function userProfileDto(user: OrgUser, view: ProfileView): UserProfileDto {
  const placement = placeUser(factsOf(user), view.policy);
  const suggestion = suggestionFor(user.id, placement, view);
  return {
    profileId: placement.profileId,
    profileName: view.names.get(placement.profileId) ?? "",
    source: placement.source,
    reason: placement.reason,
    explicitProfileId: user.profileId,
    placedProfileId: user.placedProfileId,
    placementReason: user.placementReason,
    placedAt: user.placedAt,
    suggestedProfileId: suggestion?.suggestedProfileId ?? null,
    suggestedProfileName: suggestion === null ? null : (view.names.get(suggestion.suggestedProfileId) ?? null),
  };
}

/** Which profile checks one user, and why; null when the user is not in the organization. */
export async function profileForUser(
  repos: Repositories,
  orgId: string,
  userId: string,
): Promise<(Placement & { profileName: string }) | null> {
  const user = await repos.users.get(orgId, userId);
  if (!user) return null;
  const view = await profileViewOf(repos, orgId);
  const placement = placeUser(factsOf(user), view.policy);
  return { ...placement, profileName: view.names.get(placement.profileId) ?? "" };
}

/**
 * The connection that checks one user, for the end user's card: the profile's access type and the place it reaches.
 * Null for an organization with a single profile (today's words stay), or when the user's profile is not set up; the
 * place is null while the profile reaches nowhere (an EWS type without its URL).
 */
export async function connectionForUser(
  repos: Repositories,
  orgId: string,
  userId: string,
): Promise<{ accessType: AccessTypeId; place: { where: MailboxPlace; profileName: string } | null } | null> {
  const profiles = await repos.emailConfigs.list(orgId);
  if (profiles.length < 2) return null;
  const placement = await profileForUser(repos, orgId, userId);
  const profile = profiles.find((candidate) => candidate.profileId === placement?.profileId);
  if (placement === null || profile === undefined || profile.accessType === null) return null;
  const where = mailboxPlaceOf(profile.accessType, profile.ewsUrl);
  return { accessType: profile.accessType, place: where === null ? null : { where, profileName: profile.name } };
}

export interface EffectiveProfiles {
  defaultProfileId: string;
  automatic: boolean;
  /** Every profile of the organization, the default first, each with the users it checks. */
  profiles: Array<{ profileId: string; name: string; isDefault: boolean; userIds: string[] }>;
  /** Each user's placement, by user id. */
  byUser: Map<string, Placement & { email: string }>;
}

/** Which profile checks each user of the organization (the check engine's one call per run). */
export async function effectiveProfiles(repos: Repositories, orgId: string): Promise<EffectiveProfiles> {
  const policy = await placementPolicyOf(repos, orgId);
  const profiles = (await repos.emailConfigs.list(orgId)).map((profile) => ({
    profileId: profile.profileId,
    name: profile.name,
    isDefault: profile.isDefault,
    userIds: [] as string[],
  }));
  const byProfile = new Map(profiles.map((profile) => [profile.profileId, profile]));
  const byUser = new Map<string, Placement & { email: string }>();
  for (const user of await repos.users.placementFacts(orgId)) {
    const placement = placeUser(factsOf(user), policy);
    byUser.set(user.id, { ...placement, email: user.email });
    byProfile.get(placement.profileId)?.userIds.push(user.id);
  }
  return { defaultProfileId: policy.defaultProfileId, automatic: policy.automatic, profiles, byUser };
}

/**
 * Stores where the check engine found each user's mailbox (read when placement is Automatic). A report naming a
 * profile of another organization, or a user outside it, is refused whole.
 */
export async function recordPlacements(
  repos: Repositories,
  orgId: string,
  reports: ReadonlyArray<{ userId: string; profileId: string; reason: string }>,
): Promise<number> {
  return repos.transaction(async (tx) => {
    const profiles = new Set((await tx.emailConfigs.list(orgId)).map((profile) => profile.profileId));
    const errors: FieldError[] = [];
    reports.forEach((report, index) => {
      if (!profiles.has(report.profileId)) {
        errors.push({ field: `placements[${index}].profileId`, message: "is not a profile of this organization" });
      }
    });
    const users = await tx.users.existingIds(
      orgId,
      reports.map((report) => report.userId),
    );
    reports.forEach((report, index) => {
      if (!users.has(report.userId)) {
        errors.push({ field: `placements[${index}].userId`, message: "is not a user of this organization" });
      }
    });
    if (errors.length > 0) throw unprocessable(errors);
    for (const report of reports) {
      await tx.users.recordPlacement(orgId, report.userId, { profileId: report.profileId, reason: report.reason });
    }
    return reports.length;
  });
}

/** The organization's profiles with the place each reaches (the check engine's suggestion reads these). */
export async function placementTargetsOf(repos: Repositories, orgId: string): Promise<PlacementTarget[]> {
  return (await repos.emailConfigs.list(orgId)).map((profile) => ({
    profileId: profile.profileId,
    name: profile.name,
    isDefault: profile.isDefault,
    accessType: profile.accessType,
    ewsUrl: profile.ewsUrl,
  }));
}

/** The profile ids of this organization by normalized name (the bulk import's `profile` column). */
export async function profilesByName(repos: Repositories, orgId: string): Promise<Map<string, string>> {
  await repos.emailConfigs.ensureDefault(orgId);
  return new Map(
    (await repos.emailConfigs.list(orgId)).map((profile) => [profile.name.trim().toLowerCase(), profile.profileId]),
  );
}

/** Throws 422 naming `field` unless `profileId` is a profile of this organization. */
export async function assertProfileOf(
  repos: Repositories,
  orgId: string,
  profileId: string,
  field: string,
): Promise<void> {
  if (!(await repos.emailConfigs.profile(orgId, profileId))) {
    throw unprocessable([{ field, message: "is not a profile of this organization" }]);
  }
}

export { mailDomainOf };

/** Whether the engine may place this user by where their mailbox lives (Automatic, or the default while Automatic). */
export function followsPlacement(placement: Placement, policy: PlacementPolicy): boolean {
  return policy.automatic && (placement.source === "automatic" || placement.source === "default");
}

/**
 * Moves users to their suggested profile, all or none: the listed ones (each must be of the organization and have a
 * suggestion, else 422 naming `userIds[i]`), or every user with one. A user the engine places (Automatic) is placed
 * there; anyone else is pinned to it, as the admin's explicit choice. Audited in the same transaction.
 */
export async function moveToSuggested(
  repos: Repositories,
  change: { orgId: string; userIds: readonly string[] | "all"; actor: string },
): Promise<MoveToSuggestedResultDto> {
  const { orgId, actor } = change;
  return repos.transaction(async (tx) => {
    const view = await profileViewOf(tx, orgId);
    const users = new Map((await tx.users.placementFacts(orgId)).map((user) => [user.id, user]));
    const candidates = (change.userIds === "all" ? [...users.keys()] : change.userIds).map((userId) => {
      const user = users.get(userId);
      if (user === undefined) return { userId, user: null, placement: null, suggestion: null };
      const placement = placeUser(factsOf(user), view.policy);
      return { userId, user, placement, suggestion: suggestionFor(userId, placement, view) };
    });
    if (change.userIds !== "all") {
      const errors: FieldError[] = candidates.flatMap((candidate, index) =>
        candidate.user === null
          ? [{ field: `userIds[${index}]`, message: "is not a user of this organization" }]
          : candidate.suggestion === null
            ? [
                {
                  field: `userIds[${index}]`,
                  message: "has no suggested profile: their latest check found nothing to move",
                },
              ]
            : [],
      );
      if (errors.length > 0) throw unprocessable(errors.slice(0, 20));
    }
    const moves: MoveToSuggestedResultDto["moves"] = [];
    const seen = new Set<string>();
    for (const { userId, user, placement, suggestion } of candidates) {
      if (user === null || placement === null || suggestion === null || seen.has(userId)) continue;
      seen.add(userId);
      const toProfileId = suggestion.suggestedProfileId;
      const toProfileName = view.names.get(toProfileId) ?? "";
      if (followsPlacement(placement, view.policy)) {
        await tx.users.recordPlacement(orgId, userId, {
          profileId: toProfileId,
          reason: `Moved by an admin to the suggested profile (mailbox in ${placeName(suggestion.where)})`,
        });
      } else {
        await tx.users.setExplicitProfile(orgId, [userId], toProfileId);
      }
      moves.push({ userId, email: user.email, fromProfileId: placement.profileId, toProfileId, toProfileName });
    }
    await recordAudit(tx, {
      orgId,
      actor,
      action: "users.move_to_suggested",
      target: null,
      after: {
        all: change.userIds === "all",
        moved: moves.length,
        moves: moves.slice(0, 100).map((move) => ({
          email: move.email,
          from: view.names.get(move.fromProfileId) ?? move.fromProfileId,
          to: move.toProfileName,
        })),
      },
    });
    return { moved: moves.length, moves };
  });
}

/** A result as following reads it (a check run's stored result). */
export interface PlacedResult {
  userId: string;
  email: string;
  category: string;
  suggestedProfileId?: string | null | undefined;
  placement?: { where: MailboxPlace; evidence: string } | null | undefined;
}

export interface FollowedMove {
  userId: string;
  email: string;
  category: string;
  where: MailboxPlace;
  evidence: string;
  fromProfileId: string;
  fromProfileName: string;
  toProfileId: string;
  toProfileName: string;
}

/**
 * After a run: every user the engine places (Automatic, or the default while Automatic) whose result suggests
 * another profile is placed there, so the next run checks them through it. Explicit and rule-placed users keep
 * their profile (their result keeps the suggestion). Stored in one transaction with its audit line; answers the
 * moves made (none when placement is not Automatic).
 */
export async function followMovedMailboxes(
  repos: Repositories,
  orgId: string,
  runId: string,
  results: AsyncIterable<readonly PlacedResult[]>,
): Promise<FollowedMove[]> {
  const effective = await effectiveProfiles(repos, orgId);
  if (!effective.automatic) return [];
  const names = new Map(effective.profiles.map((profile) => [profile.profileId, profile.name]));
  const policy = { automatic: effective.automatic } as PlacementPolicy;
  const moves: FollowedMove[] = [];
  for await (const page of results) {
    for (const result of page) {
      const suggested = result.suggestedProfileId ?? null;
      const placement = result.placement ?? null;
      const current = effective.byUser.get(result.userId);
      if (suggested === null || placement === null || current === undefined) continue;
      if (!names.has(suggested) || suggested === current.profileId || !followsPlacement(current, policy)) continue;
      moves.push({
        userId: result.userId,
        email: result.email,
        category: result.category,
        where: placement.where,
        evidence: placement.evidence,
        fromProfileId: current.profileId,
        fromProfileName: names.get(current.profileId) ?? "",
        toProfileId: suggested,
        toProfileName: names.get(suggested) ?? "",
      });
    }
  }
  if (moves.length === 0) return moves;
  await repos.transaction(async (tx) => {
    // Both ids were just read from the organization (effectiveProfiles): nothing to refuse here.
    for (const move of moves) {
      await tx.users.recordPlacement(orgId, move.userId, {
        profileId: move.toProfileId,
        reason: `Mailbox in ${placeName(move.where)}: ${move.evidence}`.slice(0, 500),
      });
    }
    await recordAudit(tx, {
      orgId,
      actor: "system",
      action: "users.follow_moves",
      target: runId,
      after: {
        moved: moves.length,
        moves: moves
          .slice(0, 100)
          .map((move) => ({ email: move.email, from: move.fromProfileName, to: move.toProfileName })),
      },
    });
  });
  return moves;
}
