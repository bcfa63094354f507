import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, freshSchemaName, TEST_DATABASE_URL } from '../test/harness.js';
import { BulkInsert } from './bulk-insert.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from './index.js';

interface SettingRow extends Record<string, unknown> {
  name: string;
  value: string;
  updated_at: number;
}

describe.each(dialects)('bulk insert on %s', (dialect) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openDatabase(
      dialect === 'postgres'
        ? { databaseUrl: TEST_DATABASE_URL, pgSchema: freshSchemaName(), pgPoolMax: 2 }
        : { sqlitePath: path.join(os.tmpdir(), `plaza-bulk-${randomBytes(6).toString('hex')}.sqlite`) },
    );
    await migrateToLatest(handle);
  });
  afterAll(async () => {
    await handle.close();
  });

  it('writes every row across chunks and returns the asked columns in input order', async () => {
    const insert = new BulkInsert<SettingRow, 'name' | 'updated_at'>('merchant_settings', ['name', 'value', 'updated_at'], ['name', 'updated_at']);
    const rows = Array.from({ length: 901 }, (_, i) => [`bulk-${i}`, `{"i":${i}}`, 1000 + i]);
    const back = await handle.db.transaction().execute((trx) => insert.execute(trx, rows));
    expect(back).toHaveLength(901);
    expect(back.map((r) => r.name)).toEqual(rows.map((r) => r[0]));
    expect(back.map((r) => Number(r.updated_at))).toEqual(rows.map((r) => r[2]));
    const stored = await handle.db
      .selectFrom('merchant_settings' as never)
      .select(['name' as never, 'value' as never])
      .where('name' as never, 'like', 'bulk-%' as never)
      .execute();
    expect(stored).toHaveLength(901);
    expect(stored).toContainEqual({ name: 'bulk-900', value: '{"i":900}' });
  });

  it('writes nothing when a row of the statement fails', async () => {
    const insert = new BulkInsert<SettingRow>('merchant_settings', ['name', 'value', 'updated_at']);
    // The second row repeats the first's primary key: the statement, and so every row of it, fails.
    await expect(
      handle.db.transaction().execute((trx) =>
        insert.execute(trx, [
          ['dup-1', 'a', 1],
          ['dup-1', 'b', 2],
        ]),
      ),
    ).rejects.toThrow();
    const stored = await handle.db
      .selectFrom('merchant_settings' as never)
      .select('name' as never)
      .where('name' as never, '=', 'dup-1' as never)
      .execute();
    expect(stored).toHaveLength(0);
  });

  it('refuses a row without a value for every column', async () => {
    const insert = new BulkInsert<SettingRow>('merchant_settings', ['name', 'value', 'updated_at']);
    await expect(handle.db.transaction().execute((trx) => insert.execute(trx, [['short', 'x']]))).rejects.toThrow(/a value per column/);
  });
});
