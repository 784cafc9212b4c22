/**
 * Opens the one database handle: SQLite (better-sqlite3) for a file path, PostgreSQL (pg) for postgres:// URLs.
 * The SQLite file's folder is created on first run.
 */
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";

/**
 * Every table of the backend, declared by the domain that owns it (`declare module "../db/database.js"` in each
 * domain's tables.ts), so this infrastructure names no domain. Timestamps are ISO-8601 text and ids UUID text: the
 * same queries run unchanged on SQLite and PostgreSQL.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface DatabaseTables {}

export type Db = Kysely<DatabaseTables>;

export type Dialect = "sqlite" | "postgres";

export interface Database {
  db: Db;
  dialect: Dialect;
  /** The SQLite file path (null on PostgreSQL). */
  file: string | null;
  /**
   * SQLite only: runs a read on a second, read-only connection (WAL gives it a snapshot of committed data), skipping
   * Kysely's single-connection queue. Hot-path lookups use it; null on PostgreSQL, whose pool already runs reads in
   * parallel.
   */
  readRows: ((sqlText: string, parameters: readonly unknown[], asTuples?: boolean) => unknown[]) | null;
  /** PostgreSQL only: a dedicated connection outside the pool, on the same schema (LISTEN needs one); null on SQLite. */
  openClient: (() => Promise<pg.Client>) | null;
  /** PostgreSQL only: where it is and the schema its connections use (null: the server's default); null on SQLite. */
  postgres: { url: string; schema: string | null } | null;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema every connection uses (search_path), created when missing. Tests isolate with it. */
  schema?: string;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

const SAFE_SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (isPostgresUrl(url)) return openPostgres(url, options.schema ?? schemaInUrl(url));
  return openSqlite(url);
}

/**
 * The schema a PostgreSQL URL puts its connections on, as libpq spells it (`?options=-c search_path=NAME`): a
 * deployment, or a test's child process, that keeps the product in its own schema.
 */
function schemaInUrl(url: string): string | undefined {
  let options: string | null;
  try {
    options = new URL(url).searchParams.get("options");
  } catch {
    return undefined;
  }
  return /(?:^|\s)-c\s*search_path=([a-z_][a-z0-9_]*)(?:\s|$)/i.exec(options ?? "")?.[1];
}

function openSqlite(url: string): Database {
  const file = url === ":memory:" ? url : path.resolve(url.replace(/^(sqlite|file):(\/\/)?/i, ""));
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const connection = new BetterSqlite3(file);
  connection.pragma("journal_mode = WAL");
  connection.pragma("foreign_keys = ON");
  connection.pragma("busy_timeout = 5000");
  const db = new Kysely<DatabaseTables>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  // An in-memory database has no second connection that could see it.
  const reader = file === ":memory:" ? null : withStatementCache(new BetterSqlite3(file, { readonly: true }));
  return {
    db,
    dialect: "sqlite",
    file: file === ":memory:" ? null : file,
    // Tuples (better-sqlite3's raw mode) skip building an object with named keys per row. A cached statement is
    // switched per call, which is safe: each call runs to completion synchronously.
    readRows: reader
      ? (sqlText, parameters, asTuples = false) =>
          reader
            .prepare(sqlText)
            .raw(asTuples)
            .all(...parameters)
      : null,
    openClient: null,
    postgres: null,
    ping: () => ping(db),
    close: async () => {
      reader?.close();
      await db.destroy();
    },
  };
}

async function openPostgres(url: string, schema: string | undefined): Promise<Database> {
  if (schema !== undefined && !SAFE_SCHEMA.test(schema)) throw new Error(`Unsafe PostgreSQL schema name: ${schema}`);
  if (schema !== undefined) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<DatabaseTables>({ dialect: new PostgresDialect({ pool }) });
  const openClient = async (): Promise<pg.Client> => {
    const client = new pg.Client({
      connectionString: url,
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    });
    await client.connect();
    return client;
  };
  return {
    db,
    dialect: "postgres",
    file: null,
    readRows: null,
    openClient,
    postgres: { url, schema: schema ?? null },
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query anew; preparing costs more than running a small query, so keep the most recent
 * statements. Safe because Kysely's SQLite driver runs each statement to completion synchronously.
 */
function withStatementCache(connection: BetterSqlite3.Database) {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => connection.close(),
    prepare(sqlText: string) {
      let statement = statements.get(sqlText);
      if (statement) {
        // Re-insert to keep the map in least-recently-used order.
        statements.delete(sqlText);
      } else {
        statement = connection.prepare(sqlText);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sqlText, statement);
      return statement;
    },
  };
}

async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
