/** CSV export of a run's results, through the one formula-safe writer (http/csv.ts). */
import type { CanaryVerdictDto } from "../../contract/canaries.js";
import { CATEGORIES } from "../../contract/categories.js";
import type { CheckCapabilitiesDto } from "../../contract/checks.js";
import { csvRow } from "../http/csv.js";
import type { CheckResultRecord } from "./engine/types.js";
import { resultProfileWords, type ResultProfileNames } from "./resultProfiles.js";

export const CSV_COLUMNS = [
  "email",
  "user_id",
  "category",
  "severity",
  "message",
  "remedy",
  "detail",
  "primary_smtp_address",
  "http_status",
  "attempts",
  "duration_ms",
  "checked_at",
  // Last, so spreadsheets built on the earlier columns keep their positions.
  "capabilities",
  // user, or canary: a mailbox outside the scope that must be refused (never one of the organization's users).
  "kind",
  // The profile that checked the user, and the one the product would place them in (empty: none).
  "profile",
  "suggested_profile",
] as const;

/** "mail ok; calendar calendar_denied; drafts ok": one cell a spreadsheet can filter on; empty when not probed. */
export function capabilitiesText(capabilities: CheckCapabilitiesDto | null): string | null {
  if (capabilities === null) return null;
  return (["mail", "calendar", "drafts"] as const)
    .flatMap((name) => (capabilities[name] === null ? [] : [`${name} ${capabilities[name]}`]))
    .join("; ");
}

const NO_PROFILES: ResultProfileNames = { defaultProfileId: null, names: new Map() };

export function resultCsvRow(result: CheckResultRecord, profiles: ResultProfileNames = NO_PROFILES): string {
  const category = CATEGORIES[result.category];
  const words = resultProfileWords(result, profiles);
  return csvRow([
    result.email,
    result.userId,
    result.category,
    category.severity,
    category.message,
    words.remedy,
    result.detail,
    result.primarySmtpAddress,
    result.httpStatus,
    result.attempts,
    result.durationMs,
    result.checkedAt.toISOString(),
    capabilitiesText(result.capabilities ?? null),
    "user",
    words.profile,
    words.suggestedProfile,
  ]);
}

const CANARY_WORDS: Record<CanaryVerdictDto["verdict"], string> = {
  refused: "Refused, as a mailbox outside the scope must be.",
  leaked: "Readable: the scope leaks.",
  inconclusive: "The probe proves nothing either way.",
};

export function canaryCsvRow(verdict: CanaryVerdictDto, profile: string | null = null): string {
  const category = CATEGORIES[verdict.category];
  return csvRow([
    verdict.address,
    null,
    verdict.category,
    category.severity,
    `${CANARY_WORDS[verdict.verdict]}${verdict.cause === null ? "" : ` ${verdict.cause}`}`,
    verdict.remedy ?? (verdict.verdict === "refused" ? "Nothing to do." : category.remedy),
    verdict.detail,
    null,
    null,
    1,
    null,
    verdict.checkedAt,
    verdict.leaked.length === 0 ? null : verdict.leaked.map((capability) => `${capability} ok`).join("; "),
    "canary",
    profile,
    null,
  ]);
}

/** Header then one line per result, pulled page by page so a 100,000-user export never sits in memory. */
export async function* resultsCsv(
  pages: AsyncIterable<CheckResultRecord[]>,
  canaries: () => Promise<ReadonlyArray<CanaryVerdictDto & { profileId?: string }>> = () => Promise.resolve([]),
  profiles: ResultProfileNames = NO_PROFILES,
): AsyncGenerator<string> {
  const nameOf = (profileId: string | undefined) =>
    profileId === undefined ? null : (profiles.names.get(profileId) ?? null);
  yield csvRow(CSV_COLUMNS);
  for await (const page of pages) {
    if (page.length > 0) yield page.map((result) => resultCsvRow(result, profiles)).join("");
  }
  // The canaries after every user, marked apart in the kind column.
  const verdicts = await canaries();
  if (verdicts.length > 0) yield verdicts.map((verdict) => canaryCsvRow(verdict, nameOf(verdict.profileId))).join("");
}
