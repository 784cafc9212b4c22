/**
 * Multi-row INSERT … ON CONFLICT as one precompiled statement. The check runner writes every result twice (the run's
 * row and the user's status) at hundreds per second; building those statements through Kysely's query tree cost
 * about a tenth of the backend's CPU, so the hot path assembles the SQL text directly. Identifiers come from code,
 * never from input; values always travel as parameters.
 */
import { CompiledQuery, PostgresAdapter, type Kysely, type Transaction } from "kysely";

type Value = string | number | null;

function isPostgres(db: Kysely<never> | Transaction<never>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function insertRows(
  db: Kysely<never> | Transaction<never>,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly Value[]>,
  /** The ON CONFLICT clause, e.g. `(run_id, user_id) DO NOTHING`. */
  onConflict: string,
  /** Columns of the rows actually written (not those the conflict clause skipped), as RETURNING gives them. */
  returning?: string,
): Promise<Array<Record<string, unknown>>> {
  if (rows.length === 0) return [];
  const postgres = isPostgres(db);
  const parameters: Value[] = [];
  const tuples = rows.map((row) => {
    const marks = row.map((value) => {
      parameters.push(value);
      return postgres ? `$${parameters.length}` : "?";
    });
    return `(${marks.join(", ")})`;
  });
  const text = `insert into "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) values ${tuples.join(", ")} on conflict ${onConflict}${returning === undefined ? "" : ` returning ${returning}`}`;
  const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, parameters));
  return result.rows;
}
