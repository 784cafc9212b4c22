/**
 * CSV export of a run's results. Every field is quoted, and a field a spreadsheet would run as a formula (starting
 * with = + - @, a tab or a carriage return) is prefixed with an apostrophe: user emails and server details are
 * attacker-influenced text (CSV injection, OWASP).
 */
import { CATEGORIES } from "../../contract/categories.js";
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

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | number | null): string {
  if (value === null) return '""';
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

export function csvRow(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(",")}\r\n`;
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
  ]);
}

/** Header then one line per result, pulled page by page so a 100,000-user export never sits in memory. */
export async function* resultsCsv(pages: AsyncIterable<CheckResultRecord[]>): AsyncGenerator<string> {
  yield csvRow(CSV_COLUMNS);
  for await (const page of pages) {
    if (page.length > 0) yield page.map(resultCsvRow).join("");
  }
}
