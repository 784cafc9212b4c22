/**
 * Bulk user import: CSV text or JSON rows, up to 50,000. Every row gets a verdict (bad email, bad role, a profile
 * the organization does not have, duplicate in the file, already a member); a dry run only reports, a commit inserts
 * every accepted row in one transaction. Also the bulk "move to profile".
 */
import type { ImportRowVerdict, UserImportResultDto } from "../../contract/api.js";
import { displayNameProblem } from "../../contract/displayName.js";
import { emailAddressProblem } from "../../contract/emailAddress.js";
import { HttpError, badRequest } from "../errors.js";
import { recordAudit } from "../audit/service.js";
import type { Repositories } from "../repositories.js";
import type { NewOrgUser } from "./repository.js";
import { parseCsvRecords } from "./importCsv.js";
import { profileNotFound, profilesByName } from "../profiles/service.js";

export const MAX_IMPORT_ROWS = 50_000;

/** Every user's address in the organization, normalized (lower case). */
export function userEmailsOf(repos: Pick<Repositories, "users">, orgId: string): Promise<Set<string>> {
  return repos.users.emailsOf(orgId);
}

export interface RawImportRow {
  email: string;
  displayName?: string | undefined;
  role?: string | undefined;
  /** A connection profile's name; blank or absent: none. */
  profile?: string | undefined;
}

/** A CSV row also knows its line, its text as typed and, when it could not be read, why. */
interface ReadRow extends RawImportRow {
  line?: number;
  source?: string;
  problem?: string | undefined;
}

export interface CsvImportRows {
  rows: ReadRow[];
  lines: number;
  blankLines: number;
}

export type ImportSource = { format: "csv"; csv: string } | { format: "json"; rows: RawImportRow[] };

const HEADER_ALIASES: Record<string, keyof RawImportRow> = {
  email: "email",
  mail: "email",
  emailaddress: "email",
  displayname: "displayName",
  name: "displayName",
  role: "role",
  profile: "profile",
  connectionprofile: "profile",
};

export function rowsFromCsv(csv: string): RawImportRow[] {
  return readCsvImport(csv).rows;
}

/** The CSV's rows with their lines, and the count of lines they came from. */
export function readCsvImport(csv: string): CsvImportRows {
  const { records, lines, blankLines } = parseCsvRecords(csv);
  const [header, ...data] = records;
  if (!header) throw badRequest("The CSV is empty.", [{ field: "import.csv", message: "must have a header row" }]);
  if (header.problem !== undefined) {
    throw badRequest(`The CSV header (line ${header.line}) ${header.problem}.`, [
      { field: "import.csv", message: `header on line ${header.line} ${header.problem}` },
    ]);
  }
  const columns = header.cells.map(
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
      { field: "import.csv", message: "header must name an email column (email, displayName, role, profile)" },
    ]);
  }
  if (data.length > MAX_IMPORT_ROWS) throw tooManyRows("import.csv", data.length);
  const rows = data.map((record) => {
    const row: ReadRow = { email: "", line: record.line, source: record.source, problem: record.problem };
    columns.forEach((column, index) => {
      if (column !== null) row[column] = (record.cells[index] ?? "").trim();
    });
    return row;
  });
  return { rows, lines, blankLines };
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

/**
 * Judges every row against the rules, the organization's current members and its profiles (`profiles`: id by
 * lower-cased name; a row naming a profile not in it is rejected).
 */
export function judgeRows(
  rows: readonly ReadRow[],
  existing: ReadonlySet<string>,
  profiles: ReadonlyMap<string, string> = new Map(),
): JudgedImport {
  const seen = new Map<string, number>();
  const verdicts: ImportRowVerdict[] = [];
  const accepted: NewOrgUser[] = [];
  rows.forEach((raw, index) => {
    // CSV rows by their line (header = line 1, as a spreadsheet shows it); JSON rows by their position.
    const row = raw.line ?? index + 1;
    const email = raw.email.trim();
    const normalized = email.toLowerCase();
    const role = raw.role === undefined || raw.role.trim() === "" ? "user" : raw.role.trim().toLowerCase();
    const displayName = raw.displayName?.trim() || email.split("@")[0] || email;
    const emailProblem = email === "" ? null : emailAddressProblem(email);
    const nameProblem = displayNameProblem(displayName);
    const profileName = raw.profile?.trim() ?? "";
    const profileId = profileName === "" ? null : (profiles.get(profileName.toLowerCase()) ?? undefined);
    let reason: string | null = null;
    const unit = raw.line === undefined ? "row" : "line";
    if (raw.problem !== undefined) reason = `This ${unit} ${raw.problem}.`;
    else if (email === "") reason = "The email is missing.";
    else if (emailProblem !== null) reason = `The email is not a valid address: it ${emailProblem}.`;
    else if (role !== "admin" && role !== "user") reason = `The role must be admin or user, not “${raw.role ?? ""}”.`;
    else if (nameProblem !== null) reason = `The display name ${nameProblem}.`;
    else if (profileId === undefined)
      reason = `The profile “${profileName}” does not exist in this organization (check its name in Email Configuration).`;
    else if (seen.has(normalized))
      reason = `${email} is already on ${unit} ${seen.get(normalized) ?? 0} of this import.`;
    else if (existing.has(normalized)) reason = `${email} is already a user of this organization.`;
    if (reason === null) {
      seen.set(normalized, row);
      accepted.push({
        email,
        displayName,
        role: role as NewOrgUser["role"],
        ...(typeof profileId === "string" ? { profileId } : {}),
      });
      verdicts.push({ row, email, verdict: "ok" });
    } else {
      verdicts.push({
        row,
        email,
        verdict: "rejected",
        reason,
        ...(raw.source !== undefined ? { source: raw.source } : {}),
      });
    }
  });
  return { verdicts, accepted };
}

/** Reads and judges an import against the organization's addresses: the verdicts, and the users to add. */
export function judgeImport(
  source: ImportSource,
  existing: ReadonlySet<string>,
  dryRun: boolean,
  profiles: ReadonlyMap<string, string> = new Map(),
): { result: UserImportResultDto; accepted: NewOrgUser[] } {
  const read = source.format === "csv" ? readCsvImport(source.csv) : null;
  const rows: readonly ReadRow[] = source.format === "json" ? source.rows : (read?.rows ?? []);
  if (rows.length > MAX_IMPORT_ROWS) throw tooManyRows("import.rows", rows.length);
  const { verdicts, accepted } = judgeRows(rows, existing, profiles);
  const result: UserImportResultDto = {
    dryRun,
    total: verdicts.length,
    accepted: accepted.length,
    rejected: verdicts.length - accepted.length,
    rows: dryRun ? verdicts : verdicts.filter((v) => v.verdict === "rejected"),
    ...(read ? { lines: { total: read.lines, header: 1, blank: read.blankLines } } : {}),
  };
  return { result, accepted };
}

export async function importUsers(
  repos: Repositories,
  orgId: string,
  source: ImportSource,
  dryRun: boolean,
  actor: string,
): Promise<UserImportResultDto> {
  if (dryRun) {
    return judgeImport(source, await repos.users.emailsOf(orgId), true, await profilesByName(repos, orgId)).result;
  }
  return repos.transaction(async (tx) => {
    const { result, accepted } = judgeImport(
      source,
      await tx.users.emailsOf(orgId),
      false,
      await profilesByName(tx, orgId),
    );
    await tx.users.addMany(orgId, accepted, actor);
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

/**
 * Pins every listed user to `profileId` (null: unpins them), all or none: a user outside the organization (404
 * naming `userIds[i]`) or a profile of another organization (404 naming `profileId`) stores nothing.
 */
export async function moveUsersToProfile(
  repos: Repositories,
  change: { orgId: string; userIds: readonly string[]; profileId: string | null; actor: string },
): Promise<{ moved: number; profileId: string | null }> {
  const { orgId, profileId, actor } = change;
  const userIds = [...new Set(change.userIds)];
  return repos.transaction(async (tx) => {
    const profile = profileId === null ? null : await tx.emailConfigs.profile(orgId, profileId);
    if (profileId !== null && !profile) throw profileNotFound();
    const found = await tx.users.existingIds(orgId, userIds);
    const missing = change.userIds.flatMap((id, index) => (found.has(id) ? [] : [index]));
    if (missing.length > 0) {
      throw new HttpError(
        404,
        "Not Found",
        `${missing.length} of the users are not users of this organization.`,
        missing
          .slice(0, 20)
          .map((index) => ({ field: `userIds[${index}]`, message: "is not a user of this organization" })),
      );
    }
    const moved = await tx.users.setExplicitProfile(orgId, userIds, profileId);
    await recordAudit(tx, {
      orgId,
      actor,
      action: "users.move_profile",
      target: profile?.name ?? null,
      after: { profileId, profileName: profile?.name ?? null, users: moved },
    });
    return { moved, profileId };
  });
}
