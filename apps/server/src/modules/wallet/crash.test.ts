import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/index.js';
import { dialects, TEST_DATABASE_URL } from '../../test/harness.js';
import { verifyLedger } from './ledger.js';
import type { WalletDb } from './tables.js';

const ROOT = path.resolve(import.meta.dirname, '../../../../..');
const PIN = '135790';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function startServer(env: Record<string, string>, port: number): { child: ChildProcess; url: string; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', PLAZA_FAST_PASSWORD_HASHING: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 300; i += 1) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('server did not start');
  })();
  return { child, url, ready };
}

async function call(url: string, method: string, route: string, token?: string, body?: unknown, key?: string) {
  const response = await fetch(url + route, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(key ? { 'idempotency-key': key } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

describe.each(dialects)('wallet crash recovery on %s', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('keeps every acknowledged transfer exactly once after kill -9, and still expires the holds', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-crash-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl = '';
    if (dialect === 'postgres') {
      const name = `plaza_crash_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const u = new URL(TEST_DATABASE_URL);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
      cleanups.push(async () => {
        const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      });
    }
    const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, WALLET_TRANSFER_EXPIRY_MS: '8000', WALLET_SWEEP_EVERY_MS: '300' };
    const port = await freePort();
    const first = startServer(env, port);
    cleanups.push(async () => {
      first.child.kill('SIGKILL');
    });
    await first.ready;
    const register = async (name: string) =>
      (
        await call(first.url, 'POST', '/api/v1/accounts', undefined, {
          handle: `c${randomBytes(5).toString('hex')}`,
          password: 'correct horse battery',
          displayName: name,
        })
      ).body;
    const alice = await register('Alice');
    const bob = await register('Bob');
    const request = await call(first.url, 'POST', '/api/v1/friend-requests', alice.token, { handle: bob.account.handle });
    await call(first.url, 'POST', `/api/v1/friend-requests/${request.body.request.id}/accept`, bob.token, {});
    await call(first.url, 'POST', '/api/v1/wallet/pin', alice.token, { pin: PIN });
    const card = await call(first.url, 'POST', '/api/v1/bank-cards', alice.token, { number: '4111111111111111', holderName: 'Alice' });
    await call(
      first.url,
      'POST',
      '/api/v1/wallet/top-ups',
      alice.token,
      { cardId: card.body.card.id, asset: 'CNY', amountMinor: '1000000', pin: PIN },
      randomUUID(),
    );

    const keys = Array.from({ length: 600 }, () => randomUUID());
    const acknowledged = new Map<string, string>();
    const send = (url: string, key: string) =>
      call(url, 'POST', '/api/v1/transfers', alice.token, { toAccountId: bob.account.id, asset: 'CNY', amountMinor: '100', pin: PIN }, key);
    const inFlight = keys.map((key, i) =>
      new Promise((r) => setTimeout(r, i)).then(() =>
        send(first.url, key).then(
          (r) => {
            if (r.status === 201) acknowledged.set(key, r.body.transfer.id);
          },
          () => {},
        ),
      ),
    );
    // Kill mid-load: once some transfers are acknowledged, while others are still in flight.
    for (let waited = 0; acknowledged.size < 20 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    await Promise.allSettled(inFlight);
    expect(acknowledged.size).toBeGreaterThan(0);
    expect(acknowledged.size).toBeLessThan(keys.length);

    const second = startServer(env, port);
    cleanups.push(async () => {
      second.child.kill('SIGTERM');
    });
    await second.ready;
    // Every acknowledged transfer is there; retrying every key returns the first transfer, and the
    // unacknowledged ones now happen once.
    const retried = await Promise.all(keys.map((key) => send(second.url, key)));
    for (const [i, key] of keys.entries()) {
      expect(retried[i]?.status).toBe(201);
      const firstId = acknowledged.get(key);
      if (firstId) expect(retried[i]?.body.transfer.id).toBe(firstId);
    }
    const handle = await openDatabase(databaseUrl ? { databaseUrl } : { sqlitePath: path.join(dataDir, 'plaza.sqlite') });
    cleanups.push(() => handle.close());
    const db = handle.db as unknown as WalletDb;
    const rows = await db.selectFrom('ledger_transfers').select('id').where('kind', '=', 'p2p').execute();
    expect(rows).toHaveLength(keys.length);
    expect(new Set(retried.map((r) => r.body.transfer.id)).size).toBe(keys.length);
    const report = await verifyLedger(db);
    expect(report.ok).toBe(true);
    expect(report.mismatches).toEqual([]);

    // The holds expire on schedule after the restart: everything goes back to Alice.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const wallet = await call(second.url, 'GET', '/api/v1/wallet', alice.token);
      const cny = wallet.body.balances.find((b: { asset: string }) => b.asset === 'CNY');
      if (cny.heldMinor === '0') {
        expect(cny.availableMinor).toBe('1000000');
        break;
      }
      if (Date.now() > deadline) throw new Error(`holds did not expire: ${JSON.stringify(cny)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect((await verifyLedger(db)).ok).toBe(true);
  }, 120_000);
});
