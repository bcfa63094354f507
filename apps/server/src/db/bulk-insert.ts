import { CompiledQuery, type Kysely } from 'kysely';
import { invariant } from '../lib/errors.js';
import { isPostgres } from './index.js';

/** Most rows in one INSERT; with 20 columns that stays far below either database's parameter limit. */
const CHUNK_ROWS_MAX = 400;

/**
 * A multi-row INSERT of a fixed column list, with its SQL text built once per row count and
 * dialect. For the hot group-commit paths only (ledger transfers, payments, idempotency keys):
 * building a several-hundred-row insert through Kysely's query builder (a node per value, frozen,
 * then compiled) cost more of the event loop than the database took to run it. The table and
 * column names are constants of the caller's code, never input; the values are parameters.
 */
export class BulkInsert<Row extends Record<string, unknown>, Returned extends keyof Row = never> {
  private readonly texts = new Map<string, string>();
  private readonly head: string;
  private readonly tail: string;

  constructor(
    readonly table: string,
    readonly columns: readonly (keyof Row & string)[],
    readonly returning: readonly Returned[] = [],
  ) {
    for (const name of [table, ...columns, ...returning.map(String)]) invariant(/^[a-z_][a-z0-9_]*$/.test(name), `${name} is a plain SQL name`);
    this.head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
    this.tail = returning.length > 0 ? ` returning ${returning.map((c) => `"${String(c)}"`).join(', ')}` : '';
  }

  private text(rowCount: number, postgres: boolean): string {
    const cacheKey = `${postgres ? 'p' : 's'}${rowCount}`;
    let text = this.texts.get(cacheKey);
    if (text === undefined) {
      const width = this.columns.length;
      const tuples: string[] = [];
      for (let r = 0; r < rowCount; r += 1) {
        const marks: string[] = [];
        for (let c = 0; c < width; c += 1) marks.push(postgres ? `$${r * width + c + 1}` : '?');
        tuples.push(`(${marks.join(', ')})`);
      }
      text = this.head + tuples.join(', ') + this.tail;
      if (this.texts.size >= CHUNK_ROWS_MAX * 2) this.texts.clear();
      this.texts.set(cacheKey, text);
    }
    return text;
  }

  /**
   * Inserts `rows` (each a value per column, in the order of `columns`) inside the caller's
   * transaction, chunk by chunk, and returns the `returning` columns of every row in input order.
   */
  async execute(trx: Kysely<any>, rows: readonly (readonly unknown[])[]): Promise<Pick<Row, Returned>[]> {
    const postgres = isPostgres(trx);
    const out: Pick<Row, Returned>[] = [];
    for (let start = 0; start < rows.length; start += CHUNK_ROWS_MAX) {
      const chunk = rows.slice(start, start + CHUNK_ROWS_MAX);
      const parameters: unknown[] = [];
      for (const row of chunk) {
        invariant(row.length === this.columns.length, `a ${this.table} row has a value per column`);
        for (const value of row) parameters.push(value);
      }
      const result = await trx.executeQuery<Pick<Row, Returned>>(CompiledQuery.raw(this.text(chunk.length, postgres), parameters));
      if (this.returning.length > 0) {
        invariant(result.rows.length === chunk.length, `every inserted ${this.table} row came back`);
        for (const row of result.rows) out.push(row);
      }
    }
    return out;
  }
}
