/**
 * Hot-path queries compiled once: Kysely rebuilds and recompiles a query on every call, which costs more than the
 * SQLite lookup itself. The query is built with its parameters in a fixed order, so later calls only swap values.
 * With `readRows` (SQLite outside a transaction) the read runs on the read-only connection.
 */
import { CompiledQuery, type Compilable, type Kysely } from "kysely";

export type ReadRows = (sqlText: string, parameters: readonly unknown[], asTuples?: boolean) => unknown[];

export function compiledOnce<Tables, Args extends unknown[], Row>(
  db: Kysely<Tables>,
  build: (...args: Args) => Compilable<Row>,
  placeholders: Args,
  readRows: ReadRows | null = null,
): (...args: Args) => Promise<Row[]> {
  let compiled: CompiledQuery<Row> | null = null;
  return async (...args: Args) => {
    compiled ??= build(...placeholders).compile();
    if (compiled.parameters.length !== args.length) {
      throw new Error(`compiled query expects ${compiled.parameters.length} parameters, got ${args.length}`);
    }
    if (readRows) return readRows(compiled.sql, args) as Row[];
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, args));
    return result.rows;
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
  let compiled: CompiledQuery<unknown> | null = null;
  return async (...args: Args) => {
    compiled ??= build(...placeholders).compile();
    if (compiled.parameters.length !== args.length) {
      throw new Error(`compiled query expects ${compiled.parameters.length} parameters, got ${args.length}`);
    }
    if (readRows) return readRows(compiled.sql, args, true) as Tuple[];
    // Drivers return objects whose keys follow the select list, so their values are the same tuple.
    const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(compiled.sql, args));
    return result.rows.map((row) => Object.values(row) as Tuple);
  };
}
