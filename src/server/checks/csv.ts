/** CSV export of a run's results, through the one formula-safe writer (http/csv.ts). */
import { CATEGORIES } from "../../contract/categories.js";
import type { CheckCapabilitiesDto } from "../../contract/checks.js";
import { csvRow } from "../http/csv.js";
import type { CheckResultRecord } from "./engine/types.js";

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
] as const;

/** "mail ok; calendar calendar_denied; drafts ok": one cell a spreadsheet can filter on; empty when not probed. */
export function capabilitiesText(capabilities: CheckCapabilitiesDto | null): string | null {
  if (capabilities === null) return null;
  return (["mail", "calendar", "drafts"] as const)
    .flatMap((name) => (capabilities[name] === null ? [] : [`${name} ${capabilities[name]}`]))
    .join("; ");
}

export function resultCsvRow(result: CheckResultRecord): string {
  const category = CATEGORIES[result.category];
  return csvRow([
    result.email,
    result.userId,
    result.category,
    category.severity,
    category.message,
    category.remedy,
    result.detail,
    result.primarySmtpAddress,
    result.httpStatus,
    result.attempts,
    result.durationMs,
    result.checkedAt.toISOString(),
    capabilitiesText(result.capabilities ?? null),
  ]);
}

/** Header then one line per result, pulled page by page so a 100,000-user export never sits in memory. */
export async function* resultsCsv(pages: AsyncIterable<CheckResultRecord[]>): AsyncGenerator<string> {
  yield csvRow(CSV_COLUMNS);
  for await (const page of pages) {
    if (page.length > 0) yield page.map(resultCsvRow).join("");
  }
}
