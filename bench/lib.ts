/**
 * Shared plumbing for the benchmarks: start a real Plaza server in a child process, seed its
 * database directly (fixtures only), read the server's CPU and memory from /proc, and drive
 * WebSocket clients. All traffic goes to 127.0.0.1.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import WebSocket from 'ws';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../apps/server/src/db/index.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const log = (...args: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...args);
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const now = () => performance.timeOrigin + performance.now();

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}
export function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  return raw ? raw.split(',').map(Number) : fallback;
}

export function pct(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
export const r2 = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// /proc accounting ------------------------------------------------------------------------------
const TICK = 100; // USER_HZ
export function cpuTicks(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
export function rssMiB(pid: number): { rss: number; hwm: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? Number.NaN);
  return { rss: Math.round(kb('VmRSS') / 1024), hwm: Math.round(kb('VmHWM') / 1024) };
}
/** A process and its descendants (the cluster workers of a server started with WORKERS > 1). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const s = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}
/** CPU use of a process between two snapshots, in % of one core. */
export function cpuMeter(pid: number) {
  const t0 = now();
  const c0 = cpuTicks(pid);
  return () => Math.round(((cpuTicks(pid) - c0) / TICK / ((now() - t0) / 1000)) * 100);
}

/** Whole-machine CPU busy between two snapshots, in % of one core (200 = both cores busy). */
export function machineMeter() {
  const read = () => {
    const f = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] as number) + (f[4] as number);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  const cores = os.cpus().length;
  return () => {
    const b = read();
    return Math.round((1 - (b.idle - a.idle) / (b.total - a.total)) * 100 * cores);
  };
}

export function gitState(): { commit: string; server_dirty: boolean } {
  try {
    const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    const dirty = execSync('git status --porcelain apps/server', { cwd: ROOT }).toString().trim() !== '';
    return { commit, server_dirty: dirty };
  } catch {
    return { commit: 'unknown', server_dirty: true };
  }
}

// Server --------------------------------------------------------------------------------------------
export interface Server {
  pid: number;
  port: number;
  url: string;
  wsUrl: string;
  dialect: 'sqlite' | 'postgres';
  db: DatabaseHandle;
  stop(): Promise<void>;
}

/**
 * Creates a fresh database (a temp dir for SQLite, a fresh PostgreSQL database when DATABASE_URL
 * is set), runs the migrations, lets `seed` insert fixtures, then starts the server as a child.
 */
export async function startServer<T>(
  name: string,
  seed: (db: DatabaseHandle) => Promise<T>,
  options: { env?: Record<string, string> } = {},
): Promise<{ server: Server; fixture: T }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `plaza-bench-${name}-`));
  const baseUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  if (baseUrl) {
    const dbName = `plaza_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(baseUrl);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
    dropDb = async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e) => log('drop database failed', String(e)));
      await c.end();
    };
  }
  const db = await openDatabase(databaseUrl ? { databaseUrl } : { sqlitePath: path.join(dataDir, 'plaza.sqlite') });
  await migrateToLatest(db);
  const t0 = now();
  const fixture = await seed(db);
  log(`${name}: seeded in ${((now() - t0) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const nodeArgs = ['--import', 'tsx'];
  if (process.env.BENCH_CPU_PROF) {
    const dir = path.resolve(process.env.BENCH_CPU_PROF);
    fs.mkdirSync(dir, { recursive: true });
    nodeArgs.unshift('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const child: ChildProcess = spawn(
    'bash',
    ['-c', `{ ulimit -n 65535 2>/dev/null || ulimit -n $(ulimit -Hn); } && exec node ${nodeArgs.join(' ')} apps/server/src/main.ts`],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl ?? '', ...options.env },
      stdio: ['ignore', 2, 2], // the server's logs go to stderr, so stdout holds only result lines
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (now() > deadline) throw new Error('server did not start in 60 s');
    await sleep(200);
  }
  const server: Server = {
    pid: child.pid as number,
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dialect: databaseUrl ? 'postgres' : 'sqlite',
    db,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(process.env.BENCH_CPU_PROF ? 90_000 : 15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await db.close();
      if (dropDb) await dropDb();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return { server, fixture };
}

// Fixtures ----------------------------------------------------------------------------------------
const sha256Hex = (v: string) => createHash('sha256').update(v).digest('hex');
const CHUNK = 400;

async function chunked<T>(rows: T[], fn: (part: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await fn(rows.slice(i, i + CHUNK));
}

/** Accounts with inbox heads and one session each; returns ids and bearer tokens. */
export async function seedAccounts(h: DatabaseHandle, n: number, prefix: string): Promise<{ ids: number[]; tokens: string[] }> {
  const db = h.db;
  const now = Date.now();
  const ids: number[] = [];
  const tokens: string[] = [];
  const salt = randomBytes(3).toString('hex');
  await db.transaction().execute(async (trx) => {
    const accounts = Array.from({ length: n }, (_, i) => {
      const handle = `${prefix}${salt}${i}`.slice(0, 20);
      return { handle, handle_lower: handle.toLowerCase(), display_name: `${prefix} ${i}`, password_hash: 'bench-no-login', created_at: now };
    });
    await chunked(accounts, async (part) => {
      const rows = await trx.insertInto('accounts').values(part).returning('id').execute();
      ids.push(...rows.map((r) => Number(r.id)));
    });
    await chunked(ids, (part) =>
      trx
        .insertInto('inbox_heads')
        .values(part.map((id) => ({ account_id: id, last_seq: 0 })))
        .execute(),
    );
    const sessions = ids.map((id) => {
      const token = `plz_bench_${id}_${randomBytes(12).toString('base64url')}`;
      tokens.push(token);
      return { account_id: id, token_hash: sha256Hex(token), device_name: 'bench', user_agent: null, created_at: now, last_seen_at: now, revoked_at: null };
    });
    await chunked(sessions, (part) => trx.insertInto('sessions').values(part).execute());
  });
  return { ids, tokens };
}

/** Friends (both contact rows) and their direct conversation; returns conversation ids. */
export async function seedDirectPairs(h: DatabaseHandle, pairs: [number, number][]): Promise<number[]> {
  const db = h.db;
  const now = Date.now();
  const convIds: number[] = [];
  await db.transaction().execute(async (trx) => {
    const contacts = pairs.flatMap(([a, b]) => [
      { owner_id: a, peer_id: b, remark: '', tags: '[]', created_at: now },
      { owner_id: b, peer_id: a, remark: '', tags: '[]', created_at: now },
    ]);
    await chunked(contacts, (part) => trx.insertInto('contacts').values(part).execute());
    const convs = pairs.map(([a, b]) => ({
      kind: 'direct' as const,
      direct_key: `${Math.min(a, b)}:${Math.max(a, b)}`,
      title: '',
      notice: '',
      owner_id: null,
      last_seq: 0,
      last_message_at: now,
      member_count: 2,
      created_at: now,
    }));
    await chunked(convs, async (part) => {
      const rows = await trx.insertInto('conversations').values(part).returning('id').execute();
      convIds.push(...rows.map((r) => Number(r.id)));
    });
    const members = pairs.flatMap(([a, b], i) =>
      [a, b].map((accountId) => ({
        conversation_id: convIds[i] as number,
        account_id: accountId,
        role: 'member' as const,
        muted: 0,
        pinned: 0,
        last_read_seq: 0,
        joined_seq: 0,
        joined_at: now,
      })),
    );
    await chunked(members, (part) => trx.insertInto('conversation_members').values(part).execute());
  });
  return convIds;
}

/** A group owned by ids[0] whose members are all its friends; returns the conversation id. */
export async function seedGroup(h: DatabaseHandle, ids: number[], title: string): Promise<number> {
  const db = h.db;
  const now = Date.now();
  const [owner, ...rest] = ids as [number, ...number[]];
  return db.transaction().execute(async (trx) => {
    const contacts = rest.flatMap((b) => [
      { owner_id: owner, peer_id: b, remark: '', tags: '[]', created_at: now },
      { owner_id: b, peer_id: owner, remark: '', tags: '[]', created_at: now },
    ]);
    await chunked(contacts, (part) => trx.insertInto('contacts').values(part).execute());
    const row = await trx
      .insertInto('conversations')
      .values({
        kind: 'group',
        direct_key: null,
        title,
        notice: '',
        owner_id: owner,
        last_seq: 0,
        last_message_at: now,
        member_count: ids.length,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cid = Number(row.id);
    const members = ids.map((accountId) => ({
      conversation_id: cid,
      account_id: accountId,
      role: (accountId === owner ? 'owner' : 'member') as 'owner' | 'member',
      muted: 0,
      pinned: 0,
      last_read_seq: 0,
      joined_seq: 0,
      joined_at: now,
    }));
    await chunked(members, (part) => trx.insertInto('conversation_members').values(part).execute());
    return cid;
  });
}

// WebSocket clients ---------------------------------------------------------------------------------
export interface Client {
  index: number;
  accountId: number;
  socket: WebSocket;
  lastSeq: number;
  onText: (text: string) => void;
}

/** Connects and says hello (live, or from afterSeq); resolves at `ready`. */
export function connectClient(wsUrl: string, token: string, index: number, accountId: number, afterSeq?: number, timeoutMs = 30_000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
    const client: Client = { index, accountId, socket, lastSeq: 0, onText: () => {} };
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('connect timeout'));
    }, timeoutMs);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'hello', token, ...(afterSeq !== undefined ? { afterSeq } : {}) })));
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    const onHello = (data: WebSocket.RawData) => {
      const text = String(data);
      if (text.startsWith('{"type":"ready"')) {
        clearTimeout(timer);
        client.lastSeq = JSON.parse(text).lastSeq;
        socket.off('message', onHello);
        socket.on('message', (d) => client.onText(String(d)));
        resolve(client);
      }
    };
    socket.on('message', onHello);
  });
}

/** Runs fn over items with bounded concurrency. */
export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

export async function closeAll(clients: Client[]): Promise<void> {
  for (const c of clients) c.socket.terminate();
  await sleep(200);
}
