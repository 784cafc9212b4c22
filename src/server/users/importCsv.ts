/**
 * The bulk import's CSV reader: RFC 4180 fields, one record per line, each with its line number as a spreadsheet
 * shows it (header = line 1) and its own text, so that every input line is accounted for. No column of the import
 * (email, display name, role) may hold a line break, so a quote still open at the end of its line is a verdict on that
 * line, and reading goes on with the next one instead of swallowing the rest of the file.
 */

export interface CsvRecord {
  /** 1-based, as a spreadsheet shows it. */
  line: number;
  cells: string[];
  /** The line as typed, without its line break: a rejected row is given back to be fixed. */
  source: string;
  /** Why the line could not be read (an unclosed quote); its cells are then empty. */
  problem?: string;
}

export interface CsvRecords {
  records: CsvRecord[];
  /** Lines in the text (a final line break does not start another). */
  lines: number;
  /** Lines holding nothing but separators or white space. */
  blankLines: number;
}

export const UNCLOSED_QUOTE = 'has a quote (") that is not closed on its line, so the row could not be read';

/** One line's cells; `problem` when a quote is still open at its end. */
function readLine(source: string): Pick<CsvRecord, "cells" | "problem"> {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (quoted) {
      if (char === '"') {
        if (source[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else quoted = false;
      } else cell += char;
    } else if (char === '"' && cell === "") quoted = true;
    else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else cell += char;
  }
  if (quoted) return { cells: [], problem: UNCLOSED_QUOTE };
  cells.push(cell);
  return { cells };
}

/** Every non-blank line of the text as a record; blank lines are counted, not returned. */
export function parseCsvRecords(text: string): CsvRecords {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const sources = body.split(/\r\n|\r|\n/);
  if (sources.at(-1) === "") sources.pop();
  const records: CsvRecord[] = [];
  let blankLines = 0;
  sources.forEach((source, index) => {
    const read = readLine(source);
    if (read.problem === undefined && read.cells.every((value) => value.trim() === "")) blankLines += 1;
    else records.push({ line: index + 1, source, ...read });
  });
  return { records, lines: sources.length, blankLines };
}
