// The SQLite write connection, on its own thread (see sqlite-split.ts). Plain JavaScript because
// a worker thread does not inherit the TypeScript loader of every runner (tsx, Vitest).
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';

const STATEMENT_CACHE_MAX = 2000;
const db = new SqliteDatabase(workerData.file);
for (const pragma of workerData.pragmas) db.pragma(pragma);
const cache = new Map();

function prepare(sql) {
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (cache.size >= STATEMENT_CACHE_MAX) cache.delete(cache.keys().next().value);
    cache.set(sql, statement);
  }
  return statement;
}

function execute({ id, sql, parameters }) {
  try {
    const statement = prepare(sql);
    if (statement.reader) return { id, rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { id, changes, lastInsertRowid };
  } catch (error) {
    return { id, error: { message: String(error?.message ?? error), code: error?.code, name: error?.name } };
  }
}

// Statements that may take long (begin, commit, single writes: lock waits and fsyncs) come as
// messages and are answered as messages; the event loop goes on meanwhile.
parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  parentPort.postMessage(execute(message));
});

// Statements inside a transaction are short (no fsync): the caller blocks on `flag` for the answer,
// as it would have blocked running them itself, and skips a turn of its event loop per statement.
const { syncPort, flag } = workerData;
const signal = new Int32Array(flag);
syncPort.on('message', (message) => {
  syncPort.postMessage(execute(message));
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
