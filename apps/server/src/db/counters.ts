import { type Kysely, sql } from 'kysely';
import { invariant } from '../lib/errors.js';
import { isPostgres } from './index.js';

const CHUNK_ROWS = 1000;

/**
 * Adds `increments` to an integer counter column of many rows in one statement per chunk, inside
 * the caller's transaction, and returns each row's new value. Replaces one UPDATE per row: on
 * PostgreSQL every statement is a round trip, and on SQLite each costs a prepare and a step.
 * On PostgreSQL the rows are first locked in key order, so two writers cannot deadlock.
 */
export async function addToCounters(
  trx: Kysely<any>,
  spec: { table: 'inbox_heads' | 'conversations'; key: 'account_id' | 'id'; counter: 'last_seq'; alsoSet?: { column: string; value: number } },
  increments: Map<number, number>,
): Promise<Map<number, number>> {
  const result = new Map<number, number>();
  const keys = [...increments.keys()].sort((a, b) => a - b);
  const table = sql.table(spec.table);
  const key = sql.ref(spec.key);
  const counter = sql.ref(spec.counter);
  const postgres = isPostgres(trx);
  for (let start = 0; start < keys.length; start += CHUNK_ROWS) {
    const chunk = keys.slice(start, start + CHUNK_ROWS);
    if (postgres) {
      await sql`SELECT ${key} FROM ${table} WHERE ${key} IN (${sql.join(chunk)}) ORDER BY ${key} FOR UPDATE`.execute(trx);
    }
    // VALUES columns are named column1, column2 on both dialects; the casts type the parameters.
    const rows = sql.join(chunk.map((k) => sql`(CAST(${k} AS bigint), CAST(${increments.get(k) ?? 0} AS bigint))`));
    const extra = spec.alsoSet ? sql`, ${sql.ref(spec.alsoSet.column)} = ${spec.alsoSet.value}` : sql``;
    const updated = await sql<{ k: number; v: number }>`
      UPDATE ${table} SET ${counter} = ${table}.${counter} + v.column2${extra}
      FROM (VALUES ${rows}) AS v
      WHERE ${table}.${key} = v.column1
      RETURNING ${table}.${key} AS k, ${table}.${counter} AS v`.execute(trx);
    for (const row of updated.rows) result.set(Number(row.k), Number(row.v));
  }
  invariant(result.size === keys.length, `every ${spec.table} row to advance exists`);
  return result;
}
