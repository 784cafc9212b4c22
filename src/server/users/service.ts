/**
 * Bulk user import: CSV text or JSON rows, up to 50,000. Every row gets a verdict (bad email, bad role, duplicate in
 * the file, already a member); a dry run only reports, a commit inserts every accepted row in one transaction.
 */
import type { ImportRowVerdict, UserImportResultDto } from "../../contract/api.js";
import { displayNameProblem } from "../../contract/displayName.js";
import { emailAddressProblem } from "../../contract/emailAddress.js";
import { badRequest } from "../errors.js";
import { recordAudit } from "../audit/service.js";
import type { Repositories } from "../repositories.js";
import type { NewOrgUser } from "./repository.js";
import { parseCsv } from "../http/csv.js";

export const MAX_IMPORT_ROWS = 50_000;

/** Every user's address in the organization, normalized (lower case). */
export function userEmailsOf(repos: Pick<Repositories, "users">, orgId: string): Promise<Set<string>> {
  return repos.users.emailsOf(orgId);
}

export interface RawImportRow {
  email: string;
  displayName?: string | undefined;
  role?: string | undefined;
}

export type ImportSource = { format: "csv"; csv: string } | { format: "json"; rows: RawImportRow[] };

const HEADER_ALIASES: Record<string, keyof RawImportRow> = {
  email: "email",
  mail: "email",
  emailaddress: "email",
  displayname: "displayName",
  name: "displayName",
  role: "role",
};

export function rowsFromCsv(csv: string): RawImportRow[] {
  const [header, ...data] = parseCsv(csv);
  if (!header) throw badRequest("The CSV is empty.", [{ field: "import.csv", message: "must have a header row" }]);
  const columns = header.map(
    (name) =>
      HEADER_ALIASES[
        name
          .trim()
          .toLowerCase()
          .replace(/[\s_-]/g, "")
      ] ?? null,
  );
  const emailColumn = columns.indexOf("email");
  if (emailColumn < 0) {
    throw badRequest("The CSV header has no email column.", [
      { field: "import.csv", message: "header must name an email column (email, displayName, role)" },
    ]);
  }
  if (data.length > MAX_IMPORT_ROWS) throw tooManyRows("import.csv", data.length);
  return data.map((cells) => {
    const row: RawImportRow = { email: "" };
    columns.forEach((column, index) => {
      if (column !== null) row[column] = (cells[index] ?? "").trim();
    });
    return row;
  });
}

function tooManyRows(field: string, count: number) {
  return badRequest(`The import has ${count} rows; at most ${MAX_IMPORT_ROWS} are accepted.`, [
    { field, message: `must have at most ${MAX_IMPORT_ROWS} rows` },
  ]);
}

export interface JudgedImport {
  verdicts: ImportRowVerdict[];
  accepted: NewOrgUser[];
}

/** Judges every row against the rules and the organization's current members. */
export function judgeRows(rows: readonly RawImportRow[], existing: ReadonlySet<string>): JudgedImport {
  const seen = new Map<string, number>();
  const verdicts: ImportRowVerdict[] = [];
  const accepted: NewOrgUser[] = [];
  rows.forEach((raw, index) => {
    const row = index + 1;
    const email = raw.email.trim();
    const normalized = email.toLowerCase();
    const role = raw.role === undefined || raw.role.trim() === "" ? "user" : raw.role.trim().toLowerCase();
    const displayName = raw.displayName?.trim() || email.split("@")[0] || email;
    const emailProblem = email === "" ? null : emailAddressProblem(email);
    const nameProblem = displayNameProblem(displayName);
    let reason: string | null = null;
    if (email === "") reason = "email is required";
    else if (emailProblem !== null) reason = `email is not a valid email address: it ${emailProblem}`;
    else if (role !== "admin" && role !== "user") reason = `role must be admin or user (got "${raw.role ?? ""}")`;
    else if (nameProblem !== null) reason = `displayName ${nameProblem}`;
    else if (seen.has(normalized)) reason = `duplicate of row ${seen.get(normalized) ?? 0} in this import`;
    else if (existing.has(normalized)) reason = "already a user of this organization";
    if (reason === null) {
      seen.set(normalized, row);
      accepted.push({ email, displayName, role: role as NewOrgUser["role"] });
      verdicts.push({ row, email, verdict: "ok" });
    } else {
      verdicts.push({ row, email, verdict: "rejected", reason });
    }
  });
  return { verdicts, accepted };
}

export async function importUsers(
  repos: Repositories,
  orgId: string,
  source: ImportSource,
  dryRun: boolean,
  actor: string,
): Promise<UserImportResultDto> {
  const rows = source.format === "csv" ? rowsFromCsv(source.csv) : source.rows;
  if (rows.length > MAX_IMPORT_ROWS) throw tooManyRows("import.rows", rows.length);
  const summarize = ({ verdicts, accepted }: JudgedImport): UserImportResultDto => ({
    dryRun,
    total: verdicts.length,
    accepted: accepted.length,
    rejected: verdicts.length - accepted.length,
    rows: dryRun ? verdicts : verdicts.filter((v) => v.verdict === "rejected"),
  });
  if (dryRun) return summarize(judgeRows(rows, await repos.users.emailsOf(orgId)));
  return repos.transaction(async (tx) => {
    const judged = judgeRows(rows, await tx.users.emailsOf(orgId));
    await tx.users.addMany(orgId, judged.accepted, actor);
    const result = summarize(judged);
    await recordAudit(tx, {
      orgId,
      actor,
      action: "users.import",
      target: null,
      after: { format: source.format, total: result.total, accepted: result.accepted, rejected: result.rejected },
    });
    return result;
  });
}
