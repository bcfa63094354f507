import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/**
 * SQLite with its writes on a thread of their own.
 *
 * better-sqlite3 is synchronous: a commit under `synchronous=FULL` blocks the thread that runs it
 * for its fsync (0.2–0.8 ms here), and a WAL checkpoint for several milliseconds. On the event
 * loop that stalls every socket and request of the process; on the chat hot path commits alone
 * took a sixth of the server's time. So every statement that writes, and every statement inside a
 * transaction, runs on a worker thread that owns the write connection, while plain reads stay on
 * the event loop on a read connection (WAL lets readers run beside the writer and see every
 * committed transaction). A write is answered only after the worker ran it, so a read issued
 * after an awaited write sees it.
 *
 * One write connection means one writer at a time: transactions and single writes take a mutex.
 */
export interface SplitSqliteOptions {
  file: string;
  /** The event loop's read connection, already opened and configured. */
  reader: SqliteDatabase.Database;
  /** Pragmas for the worker's write connection, e.g. `journal_mode = WAL`. */
  writerPragmas: string[];
}

interface WorkerReply {
  id: number;
  rows?: unknown[];
  changes?: number;
  lastInsertRowid?: number | bigint;
  error?: { message: string; code?: string; name?: string };
}

class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves with the unlock function once every earlier holder has unlocked. */
  lock(): Promise<() => void> {
    let unlock!: () => void;
    const next = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    const ready = this.tail.then(() => unlock);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(reply: WorkerReply): void; reject(error: Error): void }>();
  private nextId = 1;
  private closed?: Promise<void>;
  private readonly syncPort: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));

  constructor(file: string, pragmas: string[]) {
    const { port1, port2 } = new MessageChannel();
    this.syncPort = port1;
    this.worker = new Worker(new URL('./sqlite-writer-worker.mjs', import.meta.url), {
      workerData: { file, pragmas, syncPort: port2, flag: this.signal.buffer },
      transferList: [port2],
    });
    this.worker.on('message', (reply: WorkerReply & { closed?: boolean }) => {
      if (reply.closed) return;
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.resolve(reply);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('the SQLite writer thread exited')));
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  run(sql: string, parameters: readonly unknown[]): Promise<WorkerReply> {
    if (this.closed) return Promise.reject(new Error('the SQLite writer is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, sql, parameters });
    });
  }

  /** Runs a short statement and waits for it on this thread (see the worker). */
  runNow(sql: string, parameters: readonly unknown[]): WorkerReply {
    if (this.closed) throw new Error('the SQLite writer is closed');
    const id = this.nextId++;
    Atomics.store(this.signal, 0, 0);
    this.syncPort.postMessage({ id, sql, parameters });
    if (Atomics.wait(this.signal, 0, 0, SYNC_TIMEOUT_MS) === 'timed-out') throw new Error(`the SQLite writer did not answer in ${SYNC_TIMEOUT_MS} ms`);
    const received = receiveMessageOnPort(this.syncPort);
    const reply = received?.message as WorkerReply | undefined;
    if (reply?.id !== id) throw new Error('the SQLite writer answered out of turn');
    return reply;
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ close: true });
      // The worker answers and then has nothing left to do; terminate in case it does not exit.
      this.worker.once('message', () => void this.worker.terminate());
    });
    this.syncPort.close();
    return this.closed;
  }
}

const SYNC_TIMEOUT_MS = 30_000;

function toResult<R>(reply: WorkerReply): QueryResult<R> {
  if (reply.error) {
    const error = new Error(reply.error.message) as Error & { code?: string };
    if (reply.error.code) error.code = reply.error.code;
    if (reply.error.name) error.name = reply.error.name;
    throw error;
  }
  if (reply.rows) return { rows: reply.rows as R[] };
  return {
    rows: [],
    numAffectedRows: reply.changes === undefined ? undefined : BigInt(reply.changes),
    insertId: reply.lastInsertRowid === undefined ? undefined : BigInt(reply.lastInsertRowid),
  };
}

const RAW_READ = /^\s*select\b/i;

/** Whether a statement only reads, and may run on the event loop's read connection. */
function isRead(query: CompiledQuery): boolean {
  if (SelectQueryNode.is(query.query)) return true;
  return query.query.kind === 'RawNode' && RAW_READ.test(query.sql);
}

class SplitConnection implements DatabaseConnection {
  /** Set while this connection holds the write mutex for a transaction. */
  unlockTransaction: (() => void) | undefined;

  constructor(private readonly driver: SplitSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.unlockTransaction) return toResult(this.driver.writer.runNow(query.sql, query.parameters));
    if (isRead(query)) return this.driver.read<R>(query);
    const unlock = await this.driver.writeMutex.lock();
    try {
      return toResult(await this.driver.writer.run(query.sql, query.parameters));
    } finally {
      unlock();
    }
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported; the driver says so
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the SQLite driver does not stream queries');
  }
}

class SplitSqliteDriver implements Driver {
  readonly writeMutex = new Mutex();
  writer!: WriterThread;

  constructor(private readonly options: SplitSqliteOptions) {}

  async init(): Promise<void> {
    this.writer = new WriterThread(this.options.file, this.options.writerPragmas);
  }

  /** Runs a read on the event loop's connection (which caches its prepared statements: db/index.ts). */
  read<R>(query: CompiledQuery): QueryResult<R> {
    return { rows: this.options.reader.prepare(query.sql).all(query.parameters as unknown[]) as R[] };
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new SplitConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const unlock = await this.writeMutex.lock();
    try {
      // Immediate: take the write lock now, so a transaction that reads first cannot find another
      // process's commit in its way when it comes to write.
      toResult(await this.writer.run('begin immediate', []));
    } catch (error) {
      unlock();
      throw error;
    }
    (connection as SplitConnection).unlockTransaction = unlock;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const split = connection as SplitConnection;
    try {
      toResult(await this.writer.run('commit', []));
    } catch (error) {
      // End the transaction before another may begin; Kysely's rollback that follows is then a no-op.
      await this.writer.run('rollback', []).catch(() => {});
      throw error;
    } finally {
      this.release(split);
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const split = connection as SplitConnection;
    if (!split.unlockTransaction) return;
    try {
      const reply = await this.writer.run('rollback', []);
      // SQLite ends a transaction itself after some errors; there is nothing left to roll back then.
      if (!reply.error?.message.includes('no transaction is active')) toResult(reply);
    } finally {
      this.release(split);
    }
  }

  private release(connection: SplitConnection): void {
    const unlock = connection.unlockTransaction;
    connection.unlockTransaction = undefined;
    unlock?.();
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    await this.writer?.close();
    this.options.reader.close();
  }
}

export function splitSqliteDialect(options: SplitSqliteOptions): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new SplitSqliteDriver(options),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<any>) => new SqliteIntrospector(db),
  };
}
