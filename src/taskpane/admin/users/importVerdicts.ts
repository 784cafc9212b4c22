/** What the bulk import's verdicts say: the summary line, the rejected rows to fix, and their CSV with reasons. */
import type { UserImportResultDto } from "../../../contract/api";

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "12 lines: the header (line 1), 8 ready to import, 2 rejected, 1 blank." Every input line is counted once. */
export function importSummary(result: UserImportResultDto): string {
  const ready = `${result.accepted} ready to import`;
  const rejected = `${result.rejected} rejected`;
  if (!result.lines) return `${plural(result.total, "row", "rows")}: ${ready}, ${rejected}.`;
  const { total, blank } = result.lines;
  return `${plural(total, "line", "lines")}: the header (line 1), ${ready}, ${rejected}${blank > 0 ? `, ${blank} blank` : ""}.`;
}

/** The header line and the rejected rows as they were typed: what stays in the box after an import. */
export function rejectedRowsText(csv: string, result: UserImportResultDto): string {
  const rejected = result.rows.filter((row) => row.verdict === "rejected" && row.source !== undefined);
  if (rejected.length === 0) return "";
  const header =
    csv
      .replace(/^\uFEFF/, "")
      .split(/\r\n|\r|\n/)
      .find((line) => line.trim() !== "") ?? "";
  return [header, ...rejected.map((row) => row.source ?? "")].join("\n");
}

/** Quotes a field, and keeps a spreadsheet from running it as a formula (CSV injection). */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

/** line,email,reason,row: every rejected row with its reason and its text as typed. */
export function rejectedRowsCsv(result: UserImportResultDto): string {
  const lines = [["line", "email", "reason", "row"].map(csvField).join(",")];
  for (const row of result.rows) {
    if (row.verdict !== "rejected") continue;
    lines.push([row.row, row.email, row.reason ?? "", row.source ?? ""].map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
