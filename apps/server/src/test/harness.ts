import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Bus, openBus } from '../bus/index.js';
import { buildApp, type PlazaApp } from '../app.js';
import { loadConfig } from '../config.js';
import { type DialectName, migrateToLatest, openDatabase } from '../db/index.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_BUS_URL = process.env.TEST_BUS_URL || 'nats://127.0.0.1:4222';
const inCi = process.env.CI === 'true' || process.env.CI === '1';

async function reachable(check: () => Promise<void>, what: string): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (error) {
    // In CI a missing service is a failure, never a silent skip.
    if (inCi) throw new Error(`${what} is required in CI but unreachable: ${String(error)}`);
    console.warn(`[plaza tests] ${what} unreachable, skipping its suites: ${String(error)}`);
    return false;
  }
}

export const postgresAvailable = await reachable(async () => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  await client.end();
}, `PostgreSQL at ${TEST_DATABASE_URL}`);

export const natsAvailable = await reachable(async () => {
  const { connect } = await import('nats');
  const connection = await connect({ servers: TEST_BUS_URL, timeout: 2000 });
  await connection.close();
}, `NATS at ${TEST_BUS_URL}`);

/** Every SQL suite runs on each of these. */
export const dialects: DialectName[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestApp {
  plaza: PlazaApp;
  url: string;
  wsUrl: string;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface StartOptions {
  dialect: DialectName;
  /** Reuse a PostgreSQL schema (several nodes on one database). */
  pgSchema?: string;
  /** Reuse a data directory: on SQLite, several nodes on one database file. */
  dataDir?: string;
  busUrl?: string;
  bus?: Bus;
  env?: Record<string, string>;
}

export function freshSchemaName(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

export function freshDataDir(): string {
  return path.join(os.tmpdir(), `plaza-test-${randomBytes(6).toString('hex')}`);
}

export async function startApp(options: StartOptions): Promise<TestApp> {
  const dataDir = options.dataDir ?? freshDataDir();
  // Tests make operators explicitly (makeOperator), so the first member is not one by accident.
  const config = {
    ...loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', OPERATOR_FIRST_ACCOUNT: '0', ...options.env }),
    fastPasswordHashing: true,
  };
  const pgSchema = options.dialect === 'postgres' ? (options.pgSchema ?? freshSchemaName()) : undefined;
  const database = await openDatabase(
    options.dialect === 'postgres' ? { databaseUrl: TEST_DATABASE_URL, pgSchema, pgPoolMax: 5 } : { sqlitePath: path.join(dataDir, 'plaza.sqlite') },
  );
  await migrateToLatest(database);
  const bus = options.bus ?? (await openBus(options.busUrl));
  const plaza = await buildApp({ ...config, busUrl: options.busUrl }, { database, bus, logger: false });
  await plaza.app.listen({ port: 0, host: '127.0.0.1' });
  const address = plaza.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    plaza,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dialect: options.dialect,
    async close() {
      await plaza.close();
      await database.close();
      if (pgSchema && !options.pgSchema) {
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
        await client.end();
      }
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  // tests read response bodies loosely, so the body is `any` by default
  body: T;
}

/** A tiny HTTP client bound to one app and (optionally) one member's token. */
export function api(app: TestApp, token?: string) {
  async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const response = await fetch(app.url + route, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  }
  return {
    get: (route: string) => call('GET', route),
    post: (route: string, body?: unknown, headers?: Record<string, string>) => call('POST', route, body ?? {}, headers),
    patch: (route: string, body: unknown) => call('PATCH', route, body),
    put: (route: string, body: unknown) => call('PUT', route, body),
    delete: (route: string) => call('DELETE', route),
    raw: call,
  };
}

let handleCounter = 0;
export function uniqueHandle(prefix = 'user'): string {
  handleCounter += 1;
  return `${prefix}${randomBytes(3).toString('hex')}${handleCounter}`.slice(0, 20);
}

export interface Member {
  id: string;
  handle: string;
  token: string;
  http: ReturnType<typeof api>;
}

export async function registerMember(app: TestApp, displayName = 'Member'): Promise<Member> {
  const handle = uniqueHandle('m');
  const response = await api(app).post('/api/v1/accounts', { handle, password: 'correct horse battery', displayName });
  if (response.status !== 201) throw new Error(`register failed: ${JSON.stringify(response.body)}`);
  return { id: response.body.account.id, handle, token: response.body.token, http: api(app, response.body.token) };
}

/** Makes a member an operator of the instance (as OPERATOR_HANDLES or another operator would). */
export async function makeOperator(app: TestApp, member: Member): Promise<void> {
  await app.plaza.services.accounts.setOperator(Number(member.id), true);
}

export async function makeFriends(a: Member, b: Member): Promise<void> {
  const request = await a.http.post('/api/v1/friend-requests', { handle: b.handle, message: 'hi' });
  if (request.status !== 201) throw new Error(`friend request failed: ${JSON.stringify(request.body)}`);
  const accepted = await b.http.post(`/api/v1/friend-requests/${request.body.request.id}/accept`);
  if (accepted.status !== 200) throw new Error(`accept failed: ${JSON.stringify(accepted.body)}`);
}
