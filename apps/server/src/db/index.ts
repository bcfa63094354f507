import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import { splitSqliteDialect } from './sqlite-split.js';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The PostgreSQL schema in use, when not the default. */
  pgSchema?: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… or undefined for SQLite. */
  databaseUrl?: string;
  /** SQLite file; ':memory:' is allowed. */
  sqlitePath?: string;
  /** PostgreSQL schema to use (created if missing); tests use one per app. */
  pgSchema?: string;
  pgPoolMax?: number;
}

// int8 (bigint) columns hold ids, sequence numbers, epoch milliseconds and minor units; all fit in a
// double below 2^53, and a value that does not is a broken invariant, not something to round.
pg.types.setTypeParser(20, (value: string) => {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`int8 value ${value} exceeds the safe integer range`);
  return parsed;
});

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const schema = options.pgSchema;
    if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
    if (schema) {
      const admin = new pg.Client({ connectionString: options.databaseUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.pgPoolMax ?? 20,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', pgSchema: schema, close: () => db.destroy() };
  }
  const file = options.sqlitePath ?? ':memory:';
  // FULL: a commit is on disk before we acknowledge it (WAL with NORMAL may lose the last commits).
  const pragmas = ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'busy_timeout = 5000', 'cache_size = -65536'];
  if (file === ':memory:') {
    // One connection can see an in-memory database, so reads and writes share it here.
    const sqlite = new SqliteDatabase(file);
    for (const pragma of pragmas) sqlite.pragma(pragma);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // The event loop reads; a worker thread writes (sqlite-split.ts). WAL is set here first, so the
  // file is in WAL mode before either connection uses it.
  const reader = new SqliteDatabase(file);
  for (const pragma of pragmas) reader.pragma(pragma);
  reader.pragma('query_only = ON');
  const db = new Kysely<Database>({ dialect: splitSqliteDialect({ file, reader: withStatementCache(reader), writerPragmas: pragmas }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

const STATEMENT_CACHE_MAX = 2000;

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing cost a
 * tenth of the server's time on the chat hot path. Statements are cached by their SQL text (the
 * parameters are bound per run), oldest dropped first.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (text: string) => {
        // Write transactions take the write lock when they begin: with several processes on one
        // file, a deferred transaction that reads first could not upgrade after another's commit.
        const source = text === 'begin' ? 'begin immediate' : text;
        let statement = cache.get(source);
        if (!statement) {
          statement = prepare(source);
          if (cache.size >= STATEMENT_CACHE_MAX) {
            const oldest = cache.keys().next().value;
            if (oldest !== undefined) cache.delete(oldest);
          }
          cache.set(source, statement);
        }
        return statement;
      };
    },
  });
}

export async function migrateToLatest(handle: DatabaseHandle): Promise<void> {
  const migrator = new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => migrations },
    // Modules add migrations independently; one dated before another already applied still runs.
    allowUnorderedMigrations: true,
    // Kysely looks for its bookkeeping tables by name across schemas unless told where they are.
    ...(handle.pgSchema ? { migrationTableSchema: handle.pgSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}

/** Current time in epoch milliseconds; the one clock the server stores. */
export function nowMs(): number {
  return Date.now();
}

export { sql };
