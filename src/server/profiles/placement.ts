/**
 * Which profile checks a user: explicit > the first matching rule > Automatic's last placement > the default. One
 * decision, written twice over the same facts: `placeUser` (a pure function: the check engine, a user's DTO) and
 * `effectiveProfileSql` (the same order as a SQL CASE over org_users: the Users list's filter, the profiles' counts).
 * test/integration/server/profiles/userPlacement.test.ts holds both to the same users.
 */
import { sql, type RawBuilder } from "kysely";
import type { AccessTypeId } from "../../contract/accessTypes.js";
import { MAILBOX_PLACE_NAMES, mailboxPlaceOf, type MailboxPlace } from "../../contract/exchangeOnline.js";
import type { PlacementRuleKind, PlacementSource } from "../../contract/profiles.js";

export interface PlacementRule {
  kind: PlacementRuleKind;
  /** mail_domain: the domain in lower case. */
  value: string;
  profileId: string;
}

export interface PlacementPolicy {
  defaultProfileId: string;
  automatic: boolean;
  /** In order: the first that matches wins. */
  rules: readonly PlacementRule[];
}

export interface UserPlacementFacts {
  email: string;
  explicitProfileId: string | null;
  placedProfileId: string | null;
  placementReason: string | null;
}

export interface Placement {
  profileId: string;
  source: PlacementSource;
  /** Why, as a sentence the Users list can show. */
  reason: string;
}

/** The part after the last "@", in lower case ("" without one). */
export function mailDomainOf(email: string): string {
  const at = email.lastIndexOf("@");
  return at < 0 ? "" : email.slice(at + 1).toLowerCase();
}

export function ruleMatches(rule: PlacementRule, email: string): boolean {
  return rule.kind === "mail_domain" && mailDomainOf(email) === rule.value;
}

export function describeRule(rule: PlacementRule): string {
  return `Rule: mail domain ${rule.value}`;
}

export function placeUser(user: UserPlacementFacts, policy: PlacementPolicy): Placement {
  if (user.explicitProfileId !== null) {
    return { profileId: user.explicitProfileId, source: "explicit", reason: "Chosen by an admin" };
  }
  const rule = policy.rules.find((candidate) => ruleMatches(candidate, user.email));
  if (rule) return { profileId: rule.profileId, source: "rule", reason: describeRule(rule) };
  if (policy.automatic && user.placedProfileId !== null) {
    return {
      profileId: user.placedProfileId,
      source: "automatic",
      reason: user.placementReason ?? "Placed automatically by the last check",
    };
  }
  return {
    profileId: policy.defaultProfileId,
    source: "default",
    reason: policy.automatic ? "The default profile (not placed by a check yet)" : "The default profile",
  };
}

/** The columns of org_users the SQL form reads, as the query names them (e.g. "u.email_normalized"). */
export interface PlacementColumns {
  emailNormalized: string;
  explicitProfileId: string;
  placedProfileId: string;
}

/**
 * `placeUser`'s profile id as a SQL expression. Rule domains hold only letters, digits, dots and hyphens (the
 * placement's validation), so `%@domain` needs no escaping; emails are compared in their lower-cased column.
 */
export function effectiveProfileSql(policy: PlacementPolicy, columns: PlacementColumns): RawBuilder<string> {
  const branches: Array<RawBuilder<unknown>> = [
    sql`when ${sql.ref(columns.explicitProfileId)} is not null then ${sql.ref(columns.explicitProfileId)}`,
    ...policy.rules.map(
      (rule) =>
        sql`when ${sql.ref(columns.emailNormalized)} like ${`%@${rule.value}`} then cast(${rule.profileId} as text)`,
    ),
    ...(policy.automatic
      ? [sql`when ${sql.ref(columns.placedProfileId)} is not null then ${sql.ref(columns.placedProfileId)}`]
      : []),
  ];
  return sql<string>`(case ${sql.join(branches, sql` `)} else cast(${policy.defaultProfileId} as text) end)`;
}

/** A profile as the suggestion reads it. */
export interface PlacementTarget {
  profileId: string;
  name: string;
  isDefault: boolean;
  /** Null while the profile is not configured (it reaches nowhere). */
  accessType: AccessTypeId | null;
  /** With the access type, where the profile reaches (contract's mailboxPlaceOf). */
  ewsUrl: string | null;
}

/**
 * The profile the product would place a user in whose mailbox answered from `where`, when it differs from the
 * profile that checked them: among the profiles that reach that place, the default first, then by name. Null when
 * none reaches it, or when the checking profile already does (the answer then says nothing about placement).
 */
export function suggestedProfileFor(
  where: MailboxPlace,
  profiles: readonly PlacementTarget[],
  checkingProfileId: string | null,
): PlacementTarget | null {
  const reaching = profiles.filter((profile) => mailboxPlaceOf(profile.accessType, profile.ewsUrl) === where);
  if (reaching.some((profile) => profile.profileId === checkingProfileId)) return null;
  const [best] = [...reaching].sort(
    (a, b) =>
      Number(b.isDefault) - Number(a.isDefault) ||
      a.name.localeCompare(b.name) ||
      a.profileId.localeCompare(b.profileId),
  );
  return best ?? null;
}

const ACCESS_TYPES_FOR: Record<MailboxPlace, string> = {
  exchange_online:
    "Microsoft 365 OAuth (Graph) – App-only (or Microsoft 365 OAuth Logon (EWS API) with the Exchange Online EWS URL)",
  on_premises: "Microsoft Exchange Impersonation (or Microsoft 365 OAuth Logon (EWS API) with Hybrid Modern Auth)",
};

export function placeName(where: MailboxPlace): string {
  return MAILBOX_PLACE_NAMES[where];
}

/**
 * What the admin does about a result whose answer placed the mailbox elsewhere: move the user to the suggested
 * profile, or, when no profile reaches that place, add one (naming the access type to choose).
 */
export function placementRemedy(where: MailboxPlace, suggestedName: string | null): string {
  if (suggestedName !== null) {
    return `Move the user to the suggested profile “${suggestedName}”, which reaches ${MAILBOX_PLACE_NAMES[where]} (or set placement to Automatic so the product follows the move).`;
  }
  return `No profile of this organization reaches ${MAILBOX_PLACE_NAMES[where]}: add a connection profile with the access type ${ACCESS_TYPES_FOR[where]}, then move the user to it (or set placement to Automatic).`;
}
