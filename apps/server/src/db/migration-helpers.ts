import type { CreateTableBuilder, Kysely } from 'kysely';
import { isPostgres } from './index.js';

/** An auto-incrementing bigint primary key named `id`, on either dialect. */
export function withIdColumn<T extends string>(db: Kysely<unknown>, table: CreateTableBuilder<T, never>) {
  return isPostgres(db)
    ? table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
