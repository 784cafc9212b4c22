/**
 * Wire types of connection profiles and of how each user is placed in one. Types only, plus the placement rule's
 * kinds. An organization holds one or more profiles (each a full email configuration with its own version); one is
 * the default. The Email Configuration API (`/orgs/{orgId}/email-config`) reads and writes the default profile.
 */
import type { AccessTypeId } from "./accessTypes.js";
import type { EmailConfigDto, EmailConfigInput } from "./api.js";

/** At most this many profiles per organization, and this many placement rules. */
export const MAX_PROFILES = 50;
export const MAX_PLACEMENT_RULES = 200;
export const MAX_PROFILE_NAME_LENGTH = 100;

/** One profile in full: its email configuration (never a secret) with its identity. ETag = version. */
export interface ConnectionProfileDto extends EmailConfigDto {
  id: string;
  name: string;
  isDefault: boolean;
}

/** What the users of a profile answered at their latest check (their latest results, whichever run gave them). */
export interface ProfileLastCheckDto {
  /** The latest check of any of the profile's users. */
  checkedAt: string;
  ok: number;
  warning: number;
  /** error or transient. */
  failing: number;
  neverChecked: number;
}

/** A row of the profiles list. */
export interface ConnectionProfileListItemDto {
  id: string;
  name: string;
  isDefault: boolean;
  accessType: AccessTypeId | null;
  /** Users whose effective profile this is (explicit, rule, Automatic's placement or default). */
  userCount: number;
  /** Null when none of its users was ever checked. */
  lastCheck: ProfileLastCheckDto | null;
  version: number;
  updatedAt: string | null;
}

export interface ConnectionProfileListDto {
  items: ConnectionProfileListItemDto[];
}

/** POST /orgs/{orgId}/profiles: a name, and optionally the configuration (validated exactly like PUT email-config). */
export interface NewConnectionProfileInput {
  name: string;
  config?: EmailConfigInput;
}

/** PATCH /orgs/{orgId}/profiles/{profileId} (If-Match: the version read). */
export interface RenameConnectionProfileInput {
  name: string;
}

export const PLACEMENT_RULE_KINDS = ["mail_domain"] as const;
export type PlacementRuleKind = (typeof PLACEMENT_RULE_KINDS)[number];

/** Users whose address is at `value` (a mail domain, lower case, exact: not its subdomains) go to `profileId`. */
export interface PlacementRuleDto {
  kind: PlacementRuleKind;
  value: string;
  profileId: string;
}

/** The organization's placement: the rules in order (the first that matches wins), and whether Automatic is on. */
export interface ProfilePlacementDto {
  /**
   * Automatic: a user with no explicit profile and no matching rule is checked through the profile the check engine
   * last placed them in (where the mailbox lives), else the default.
   */
  automatic: boolean;
  rules: PlacementRuleDto[];
  /** Send back in If-Match on PUT; 0 before the first save. */
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

/** PUT /orgs/{orgId}/profile-placement replaces the whole placement (If-Match: the version read). */
export interface ProfilePlacementInput {
  automatic: boolean;
  rules: PlacementRuleDto[];
}

/** How a user's profile was chosen: explicit > rule > Automatic's last placement > default. */
export type PlacementSource = "explicit" | "rule" | "automatic" | "default";

/** Which profile checks a user, and why (on every OrgUserDto). */
export interface UserProfileDto {
  profileId: string;
  profileName: string;
  source: PlacementSource;
  /** A sentence: "Chosen by an admin", "Rule: mail domain contoso.com", the engine's reason, "The default profile". */
  reason: string;
  /** The admin's explicit choice, or null (the user follows the rules, Automatic and the default). */
  explicitProfileId: string | null;
  /** What the check engine last reported: the profile where the mailbox lives, and how it knows. */
  placedProfileId: string | null;
  placementReason: string | null;
  placedAt: string | null;
  /**
   * The profile the latest check would place the user in, when it differs from the one that checks them now (their
   * mailbox answered from the other place: moved to or from Exchange Online); null otherwise.
   */
  suggestedProfileId: string | null;
  suggestedProfileName: string | null;
}

/**
 * POST /orgs/{orgId}/users/move-to-suggested: the listed users, or all with a suggestion, each to their suggested
 * profile, all or none (422 naming `userIds[i]` for a user without a suggestion or of another organization).
 * An admin's explicit choice stays explicit (pinned to the suggestion); a user on Automatic is placed there.
 */
export type MoveToSuggestedInput = { userIds: string[] } | { all: true };

export interface MoveToSuggestedResultDto {
  moved: number;
  moves: Array<{ userId: string; email: string; fromProfileId: string; toProfileId: string; toProfileName: string }>;
}

/** POST /orgs/{orgId}/users/move-profile: every listed user at once, or none (404/422 naming the field). */
export interface MoveUsersToProfileInput {
  userIds: string[];
  /** The profile to pin them to; null clears their explicit profile (they follow the rules, Automatic, default). */
  profileId: string | null;
}

export interface MoveUsersToProfileResultDto {
  moved: number;
  profileId: string | null;
}
