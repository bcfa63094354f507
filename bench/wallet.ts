/**
 * Wallet benchmarks through the public HTTP API on loopback, against a real server child:
 * - wallet-transfers: durable friend transfers/s with many concurrent clients (closed loop), p50/p99;
 * - wallet-claims: red-packet claims/s across many packets, and the time to drain one 100-share
 *   packet grabbed by 500 members at once.
 * Each runs with the group-committing ledger writer and beside it the naive design (one database
 * transaction per request, run side by side: WALLET_WRITER_BATCH_MAX=1) on the same load, and reports the ratio.
 * The database is SQLite, or PostgreSQL when DATABASE_URL is set (as the other scenarios).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { hash } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { WalletDatabase } from '../apps/server/src/modules/wallet/tables.js';
import { envInt, log, now, pct, r2, rssMiB, type Server, seedAccounts, seedDirectPairs, seedGroup, startServer } from './lib.js';

export const PIN = '246810';
const BALANCE_MINOR = 1_000_000_000;

interface Reply {
  status: number;
  body: any;
}

export function client(server: Server, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return {
    post(path: string, token: string, body: unknown, key?: string): Promise<Reply> {
      const payload = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const request = http.request(
          {
            agent,
            host: '127.0.0.1',
            port: server.port,
            method: 'POST',
            path,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
              authorization: `Bearer ${token}`,
              ...(key ? { 'idempotency-key': key } : {}),
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (c: Buffer) => chunks.push(c));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
            });
          },
        );
        request.on('error', reject);
        request.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Wallet fixtures written straight into the database: a cheap-to-verify PIN and funded wallets. */
export async function seedWallets(db: Kysely<WalletDatabase>, ids: number[]): Promise<void> {
  // The PIN hash carries its own (cheap) argon2 parameters, so the server verifies it quickly once per member.
  const pinHash = await hash(PIN, { algorithm: 2, memoryCost: 1024, timeCost: 1, parallelism: 1 });
  const t = Date.now();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < ids.length; i += 400) {
      const part = ids.slice(i, i + 400);
      await trx
        .insertInto('wallet_profiles')
        .values(
          part.map((id) => ({
            account_id: id,
            pin_hash: pinHash,
            pin_failures: 0,
            pin_locked_until: 0,
            real_name: null,
            id_number_masked: null,
            gold_activated_at: null,
            created_at: t,
          })),
        )
        .execute();
    }
    const settlement = await trx
      .insertInto('ledger_accounts')
      .values({ owner_account_id: 0, kind: 'bank_settlement', asset: 'CNY', balance: -BALANCE_MINOR * ids.length, held: 0, may_go_negative: 1, created_at: t })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (let i = 0; i < ids.length; i += 400) {
      const part = ids.slice(i, i + 400);
      const wallets = await trx
        .insertInto('ledger_accounts')
        .values(part.map((id) => ({ owner_account_id: id, kind: 'wallet', asset: 'CNY', balance: BALANCE_MINOR, held: 0, may_go_negative: 0, created_at: t })))
        .returning(['id', 'owner_account_id'])
        .execute();
      await trx
        .insertInto('ledger_transfers')
        .values(
          wallets.map((w) => ({
            debit_account_id: settlement.id,
            credit_account_id: w.id,
            debit_owner_id: 0,
            credit_owner_id: w.owner_account_id,
            asset: 'CNY',
            amount: BALANCE_MINOR,
            kind: 'top_up',
            status: 'posted' as const,
            reference: 'bench',
            note: 'bench seed',
            expires_at: null,
            created_at: t,
            resolved_at: null,
          })),
        )
        .execute();
    }
  });
}

function summarise(latencies: number[], ok: number, seconds: number) {
  latencies.sort((a, b) => a - b);
  return { per_s: Math.round(ok / seconds), p50_ms: r2(pct(latencies, 50)), p99_ms: r2(pct(latencies, 99)), requests: latencies.length };
}

async function withServer<T>(name: string, naive: boolean, seed: Parameters<typeof startServer<T>>[1]) {
  const previous = process.env.WALLET_WRITER_BATCH_MAX;
  process.env.WALLET_WRITER_BATCH_MAX = naive ? '1' : '';
  try {
    return await startServer(`${name}${naive ? '-naive' : ''}`, seed);
  } finally {
    process.env.WALLET_WRITER_BATCH_MAX = previous;
  }
}

async function verifyHealth(server: Server): Promise<boolean> {
  const response = await fetch(`${server.url}/api/v1/wallet/health`);
  return response.ok;
}

// 1. wallet-transfers ---------------------------------------------------------------------------
async function transfersOnce(naive: boolean) {
  const members = envInt('WALLET_MEMBERS', 1000) & ~1;
  const concurrency = envInt('WALLET_CONCURRENCY', 256);
  const warmupS = envInt('WALLET_WARMUP_S', 2);
  const durationS = envInt('WALLET_DURATION_S', 8);
  const { server, fixture } = await withServer('wallet-transfers', naive, async (h) => {
    const { ids, tokens } = await seedAccounts(h, members, 'w');
    const pairs: [number, number][] = [];
    for (let i = 0; i < members; i += 2) pairs.push([ids[i] as number, ids[i + 1] as number]);
    await seedDirectPairs(h, pairs);
    await seedWallets(h.db as unknown as Kysely<WalletDatabase>, ids);
    return { ids, tokens };
  });
  const http1 = client(server, concurrency);
  try {
    const latencies: number[] = [];
    let ok = 0;
    let failed = 0;
    let measuring = false;
    const start = now();
    const stopAt = start + (warmupS + durationS) * 1000;
    let measureStart = 0;
    setTimeout(() => {
      measuring = true;
      measureStart = now();
    }, warmupS * 1000);
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        let i = worker;
        while (now() < stopAt) {
          const sender = i % members;
          const recipient = sender ^ 1;
          i += concurrency;
          const t0 = now();
          const response = await http1.post(
            '/api/v1/transfers',
            fixture.tokens[sender] as string,
            { toAccountId: String(fixture.ids[recipient]), asset: 'CNY', amountMinor: '1', pin: PIN },
            randomUUID(),
          );
          if (!measuring) continue;
          latencies.push(now() - t0);
          if (response.status === 201) ok += 1;
          else if (failed++ < 3) log('transfer failed', response.status, JSON.stringify(response.body));
        }
      }),
    );
    const seconds = (now() - measureStart) / 1000;
    return {
      ...summarise(latencies, ok, seconds),
      failed,
      ledger_ok: await verifyHealth(server),
      server_peak_rss_mib: rssMiB(server.pid).hwm,
      dialect: server.dialect,
    };
  } finally {
    http1.close();
    await server.stop();
  }
}

export async function walletTransfers() {
  const grouped = await transfersOnce(false);
  log('wallet-transfers grouped', JSON.stringify(grouped));
  const naive = process.env.WALLET_SKIP_NAIVE ? grouped : await transfersOnce(true);
  log('wallet-transfers naive', JSON.stringify(naive));
  return {
    scenario: 'wallet-transfers',
    database: grouped.dialect,
    concurrency: envInt('WALLET_CONCURRENCY', 256),
    transfers_per_s: grouped.per_s,
    p50_ms: grouped.p50_ms,
    p99_ms: grouped.p99_ms,
    naive_transfers_per_s: naive.per_s,
    naive_p50_ms: naive.p50_ms,
    naive_p99_ms: naive.p99_ms,
    ratio_vs_naive: r2(grouped.per_s / Math.max(1, naive.per_s)),
    grouped,
    naive,
  };
}

// 2. wallet-claims ------------------------------------------------------------------------------
async function claimsOnce(naive: boolean) {
  const members = envInt('WALLET_GROUP_MEMBERS', 500);
  const packetsN = envInt('WALLET_PACKETS', 100);
  const shares = Math.min(100, members);
  const concurrency = envInt('WALLET_CONCURRENCY', 256);
  const { server, fixture } = await withServer('wallet-claims', naive, async (h) => {
    const { ids, tokens } = await seedAccounts(h, members, 'r');
    const conversationId = await seedGroup(h, ids, 'bench red packets');
    await seedWallets(h.db as unknown as Kysely<WalletDatabase>, ids);
    return { ids, tokens, conversationId };
  });
  const http1 = client(server, Math.max(concurrency, members));
  const ownerToken = fixture.tokens[0] as string;
  const create = async () => {
    const response = await http1.post(
      '/api/v1/red-packets',
      ownerToken,
      { conversationId: String(fixture.conversationId), mode: 'random', asset: 'CNY', totalMinor: '10000', count: shares, pin: PIN },
      randomUUID(),
    );
    if (response.status !== 201) throw new Error(`red packet: ${JSON.stringify(response.body)}`);
    return response.body.redPacket.id as string;
  };
  try {
    // Claims across many packets: each packet is grabbed by exactly `shares` distinct members.
    const packetIds: string[] = [];
    for (let i = 0; i < packetsN; i += 1) packetIds.push(await create());
    const jobs = packetIds.flatMap((id, p) => Array.from({ length: shares }, (_, j) => ({ id, member: (p * shares + j) % members })));
    const latencies: number[] = [];
    let ok = 0;
    let next = 0;
    const t0 = now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++] as (typeof jobs)[number];
          const s = now();
          const response = await http1.post(`/api/v1/red-packets/${job.id}/claim`, fixture.tokens[job.member] as string, {});
          latencies.push(now() - s);
          if (response.status === 200) ok += 1;
        }
      }),
    );
    const many = summarise(latencies, ok, (now() - t0) / 1000);
    // One 100-share packet, every member at once.
    const hot = await create();
    const h0 = now();
    const results = await Promise.all(fixture.tokens.map((token) => http1.post(`/api/v1/red-packets/${hot}/claim`, token, {})));
    const drainMs = now() - h0;
    return {
      claims: many,
      drain_one_packet_ms: r2(drainMs),
      drain_claimed: results.filter((r) => r.status === 200).length,
      drain_grabbers: members,
      ledger_ok: await verifyHealth(server),
      dialect: server.dialect,
    };
  } finally {
    http1.close();
    await server.stop();
  }
}

export async function walletClaims() {
  const grouped = await claimsOnce(false);
  log('wallet-claims grouped', JSON.stringify(grouped));
  const naive = await claimsOnce(true);
  log('wallet-claims naive', JSON.stringify(naive));
  return {
    scenario: 'wallet-claims',
    database: grouped.dialect,
    claims_per_s: grouped.claims.per_s,
    p50_ms: grouped.claims.p50_ms,
    p99_ms: grouped.claims.p99_ms,
    drain_100_shares_500_grabbers_ms: grouped.drain_one_packet_ms,
    naive_claims_per_s: naive.claims.per_s,
    naive_drain_ms: naive.drain_one_packet_ms,
    ratio_vs_naive: r2(grouped.claims.per_s / Math.max(1, naive.claims.per_s)),
    grouped,
    naive,
  };
}
