/**
 * `npm run ledger:verify`: recomputes every ledger balance from the transfers, checks that each
 * asset sums to zero, prints a JSON report and exits 1 when anything is off. Opens the database
 * from the same environment as the server (DATABASE_URL, or SQLite in DATA_DIR).
 */
import path from 'node:path';
import { loadConfig } from '../../config.js';
import { openDatabase } from '../../db/index.js';
import { verifyLedger } from './ledger.js';
import type { WalletDb } from './tables.js';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'plaza.sqlite') });
try {
  const report = await verifyLedger(database.db as unknown as WalletDb);
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await database.close();
}
