/** The CSV-injection-safe writer (the bulk import reads its CSV line by line in users/importCsv.ts). */

/**
 * The one CSV writer (audit trail, check results). Every field is quoted, and a text field a spreadsheet would run
 * as a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe: emails, names and
 * server details are attacker-influenced text (CSV injection, OWASP). Numbers are written as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | number | null): string {
  if (value === null) return '""';
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

/** One CRLF-terminated line. */
export function csvRow(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
