/**
 * Hot-path queries compiled once: Kysely rebuilds and recompiles a query on every call, which costs more than the
 * SQLite lookup itself. The query is built with its parameters in a fixed order, so later calls only swap values.
 * With `readRows` (SQLite outside a transaction) the read runs on the read-only connection.
 */
import { CompiledQuery, type Compilable, type Kysely } from "kysely";

export type ReadRows = (sqlText: string, parameters: readonly unknown[], asTuples?: boolean) => unknown[];

/** Builds and compiles the query on first use; afterwards only checks that the call brings every parameter. */
function compileOnce<Args extends unknown[]>(build: (...args: Args) => Compilable<unknown>, placeholders: Args) {
  let compiled: CompiledQuery<unknown> | null = null;
  return (args: Args): string => {
    compiled ??= build(...placeholders).compile();
    if (compiled.parameters.length !== args.length) {
      throw new Error(`compiled query expects ${compiled.parameters.length} parameters, got ${args.length}`);
    }
    return compiled.sql;
  };
}

export function compiledOnce<Tables, Args extends unknown[], Row>(
  db: Kysely<Tables>,
  build: (...args: Args) => Compilable<Row>,
  placeholders: Args,
  readRows: ReadRows | null = null,
): (...args: Args) => Promise<Row[]> {
  const sqlFor = compileOnce(build, placeholders);
  return async (...args: Args) => {
    const sqlText = sqlFor(args);
    if (readRows) return readRows(sqlText, args) as Row[];
    return (await db.executeQuery<Row>(CompiledQuery.raw(sqlText, args))).rows;
  };
}

/**
 * compiledOnce for the hottest reads: each row comes back as an array in the order of the select list, which saves
 * building an object with named keys per row. `Tuple` names the positions; keep it next to the select list.
 */
export function compiledTuples<Tables, Args extends unknown[], Tuple extends unknown[]>(
  db: Kysely<Tables>,
  build: (...args: Args) => Compilable<unknown>,
  placeholders: Args,
  readRows: ReadRows | null = null,
): (...args: Args) => Promise<Tuple[]> {
  const sqlFor = compileOnce(build, placeholders);
  return async (...args: Args) => {
    const sqlText = sqlFor(args);
    if (readRows) return readRows(sqlText, args, true) as Tuple[];
    // Drivers return objects whose keys follow the select list, so their values are the same tuple.
    const { rows } = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(sqlText, args));
    return rows.map((row) => Object.values(row) as Tuple);
  };
}
