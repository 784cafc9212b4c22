/**
 * Opens the one database handle: SQLite (better-sqlite3) for a file path, PostgreSQL (pg) for postgres:// URLs.
 * The SQLite file's folder is created on first run.
 */
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { DatabaseTables, Db } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

export interface Database {
  db: Db;
  dialect: Dialect;
  /** The SQLite file path (null on PostgreSQL). */
  file: string | null;
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
  if (isPostgresUrl(url)) return openPostgres(url, options.schema);
  return openSqlite(url);
}

function openSqlite(url: string): Database {
  const file = url === ":memory:" ? url : path.resolve(url.replace(/^(sqlite|file):(\/\/)?/i, ""));
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const connection = new BetterSqlite3(file);
  connection.pragma("journal_mode = WAL");
  connection.pragma("foreign_keys = ON");
  connection.pragma("busy_timeout = 5000");
  const db = new Kysely<DatabaseTables>({ dialect: new SqliteDialect({ database: connection }) });
  return {
    db,
    dialect: "sqlite",
    file: file === ":memory:" ? null : file,
    ping: () => ping(db),
    close: () => db.destroy(),
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
  return { db, dialect: "postgres", file: null, ping: () => ping(db), close: () => db.destroy() };
}

async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
