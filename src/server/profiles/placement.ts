/**
 * Which profile checks a user: explicit > the first matching rule > Automatic's last placement > the default. One
 * decision, written twice over the same facts: `placeUser` (a pure function: the check engine, a user's DTO) and
 * `effectiveProfileSql` (the same order as a SQL CASE over org_users: the Users list's filter, the profiles' counts).
 * test/integration/server/profiles/userPlacement.test.ts holds both to the same users.
 */
import { sql, type RawBuilder } from "kysely";
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
