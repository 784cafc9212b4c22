/** CSV export of a run's results, through the one formula-safe writer (http/csv.ts). */
import { CATEGORIES } from "../../contract/categories.js";
import { csvRow } from "../http/csv.js";
import type { CheckResultRecord } from "./types.js";

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
] as const;

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
  ]);
}

/** Header then one line per result, pulled page by page so a 100,000-user export never sits in memory. */
export async function* resultsCsv(pages: AsyncIterable<CheckResultRecord[]>): AsyncGenerator<string> {
  yield csvRow(CSV_COLUMNS);
  for await (const page of pages) {
    if (page.length > 0) yield page.map(resultCsvRow).join("");
  }
}
