/**
 * Merchant benchmarks through the public HTTP API on loopback, against a real server child:
 * - merchants-payments: static-QR payments/s with a coupon applied to each (closed loop, many
 *   clients), p50/p99; every payment is member → merchant, budget → merchant, merchant → fees and
 *   a payment point in one ledger command;
 * - merchants-coupon-rush: 100,000 grabs (10,000 members × 10 keys) for 10,000 coupons released
 *   at once: time to answer all, and the exact count issued.
 * SQLite, or PostgreSQL when DATABASE_URL is set (as the other scenarios).
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { WalletDatabase } from '../apps/server/src/modules/wallet/tables.js';
import { cpuTicks, envInt, log, machineMeter, now, pct, processTree, r2, rssMiB, type Server, seedAccounts, startServer } from './lib.js';
import { client, PIN, seedWallets } from './wallet.js';

type Http = ReturnType<typeof client>;

async function get(server: Server, path: string, token: string) {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as any };
}

async function put(server: Server, path: string, token: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** An approved merchant owned by the first seeded member, reviewed by the second (an operator). */
async function openMerchant(server: Server, http1: Http, ownerToken: string, operatorToken: string) {
  const applied = await http1.post('/api/v1/merchants', ownerToken, {
    businessName: 'Bench Noodles',
    category: 'food',
    licenceNumber: 'LIC-BENCH-1',
    address: '1 Loopback Road',
    lat: 31.23,
    lng: 121.47,
  });
  if (applied.status !== 201) throw new Error(`apply: ${JSON.stringify(applied.body)}`);
  const id = applied.body.merchant.id as string;
  const reviewed = await http1.post(`/api/v1/operator/merchants/${id}/review`, operatorToken, { decision: 'approve' });
  if (reviewed.status !== 200) throw new Error(`review: ${JSON.stringify(reviewed.body)}`);
  const details = await get(server, `/api/v1/merchants/${id}`, ownerToken);
  return { id, token: String(details.body.staticQrContent).replace('plaza://pay/', '') };
}

async function createCampaign(http1: Http, operatorToken: string, quota: number, cap: number) {
  const t = Date.now();
  const response = await http1.post(
    '/api/v1/operator/coupon-campaigns',
    operatorToken,
    {
      name: 'Bench rush',
      budgetMinor: String(quota * 2000),
      faceMinor: '2000',
      thresholdMinor: '10000',
      perMemberCap: cap,
      categories: ['food'],
      batches: [{ releaseAt: new Date(t - 1000).toISOString(), quota }],
      validFrom: new Date(t - 1000).toISOString(),
      validUntil: new Date(t + 86_400_000).toISOString(),
    },
    randomUUID(),
  );
  if (response.status !== 201) throw new Error(`campaign: ${JSON.stringify(response.body)}`);
  return response.body.campaign.id as string;
}

async function seedMembers(name: string, members: number, withWallets: boolean, env: Record<string, string> = {}) {
  return startServer(
    name,
    async (h) => {
      const { ids, tokens } = await seedAccounts(h, members + 2, 'mb');
      await h.db
        .updateTable('accounts')
        .set({ is_operator: 1 })
        .where('id', '=', ids[1] as number)
        .execute();
      if (withWallets) await seedWallets(h.db as unknown as Kysely<WalletDatabase>, ids.slice(2));
      return { ids, tokens };
    },
    { env },
  );
}

async function ledgerOk(server: Server): Promise<boolean> {
  return (await fetch(`${server.url}/api/v1/wallet/health`)).ok;
}

// 1. merchants-payments -------------------------------------------------------------------------
export async function merchantsPayments() {
  const members = envInt('MERCHANT_MEMBERS', 1000);
  const couponsEach = envInt('MERCHANT_COUPONS_EACH', 25);
  const concurrency = envInt('MERCHANT_CONCURRENCY', 256);
  const warmupS = envInt('MERCHANT_WARMUP_S', 2);
  const durationS = envInt('MERCHANT_DURATION_S', 8);
  const { server, fixture } = await seedMembers('merchants-payments', members, true);
  const http1 = client(server, concurrency);
  try {
    const [ownerToken, operatorToken] = fixture.tokens as [string, string];
    const payers = fixture.tokens.slice(2);
    // Points cost nothing to check here; keep the default rules (1 point per payment).
    await put(server, '/api/v1/operator/merchant-points-rules', operatorToken, {
      pointsPerPayment: 1,
      pointValueMinor: 100,
      cashEnabled: true,
      cashMaxPointsPerDay: 100,
    });
    const merchant = await openMerchant(server, http1, ownerToken, operatorToken);
    const campaign = await createCampaign(http1, operatorToken, members * couponsEach, couponsEach);
    const g0 = now();
    let next = 0;
    const grabs = payers.flatMap((token) => Array.from({ length: couponsEach }, () => token));
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < grabs.length) {
          const token = grabs[next++] as string;
          const r = await http1.post(`/api/v1/coupon-campaigns/${campaign}/grabs`, token, {}, randomUUID());
          if (r.status !== 201) throw new Error(`grab: ${JSON.stringify(r.body)}`);
        }
      }),
    );
    log(`merchants-payments: ${grabs.length} coupons grabbed in ${((now() - g0) / 1000).toFixed(1)} s`);

    const latencies: number[] = [];
    let ok = 0;
    let withCoupon = 0;
    let failed = 0;
    let measuring = false;
    let measureStart = 0;
    // CPU of the server (all its threads) and of the machine over the measured window: on a shared
    // machine throughput swings with the neighbours' load; CPU per payment much less so.
    let serverTicks0 = 0;
    let machine: (() => number) | undefined;
    const stopAt = now() + (warmupS + durationS) * 1000;
    setTimeout(() => {
      measuring = true;
      measureStart = now();
      serverTicks0 = cpuTicks(server.pid);
      machine = machineMeter();
    }, warmupS * 1000);
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        let i = worker;
        while (now() < stopAt) {
          const token = payers[i % payers.length] as string;
          i += concurrency;
          const t0 = now();
          const response = await http1.post(`/api/v1/pay/${merchant.token}`, token, { amountMinor: '12000', pin: PIN }, randomUUID());
          if (!measuring) continue;
          latencies.push(now() - t0);
          if (response.status === 201) {
            ok += 1;
            if (response.body.payment.subsidyMinor === '2000') withCoupon += 1;
          } else if (failed++ < 3) log('payment failed', response.status, JSON.stringify(response.body));
        }
      }),
    );
    const seconds = (now() - measureStart) / 1000;
    const serverCpuMs = (cpuTicks(server.pid) - serverTicks0) * 10;
    const machineBusyPct = machine?.() ?? Number.NaN;
    latencies.sort((a, b) => a - b);
    return {
      scenario: 'merchants-payments',
      database: server.dialect,
      concurrency,
      payments_per_s: Math.round(ok / seconds),
      p50_ms: r2(pct(latencies, 50)),
      p99_ms: r2(pct(latencies, 99)),
      payments: ok,
      with_coupon: withCoupon,
      failed,
      server_cpu_pct: Math.round(serverCpuMs / 10 / seconds),
      server_cpu_us_per_payment: ok ? Math.round((serverCpuMs * 1000) / ok) : null,
      machine_busy_pct: machineBusyPct,
      load_avg_1m: r2(os.loadavg()[0] as number),
      ledger_ok: await ledgerOk(server),
      server_peak_rss_mib: rssMiB(server.pid).hwm,
    };
  } finally {
    http1.close();
    await server.stop();
  }
}

// 2. merchants-coupon-rush ----------------------------------------------------------------------
/**
 * The rush's load generator: keep-alive HTTP/1.1 on raw sockets, one request at a time on each,
 * every answer read by its Content-Length. Node's http client spent nearly as much CPU per request
 * as the server's whole grab, on the same two cores.
 */
function rushClient(port: number, sockets: number) {
  const all = Array.from({ length: sockets }, () => net.connect({ host: '127.0.0.1', port, noDelay: true }));
  const idle = [...all];
  function exchange(socket: net.Socket, request: string): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      let buffer: Buffer = Buffer.alloc(0);
      const done = () => {
        socket.off('data', onData).off('error', onError).off('close', onError);
      };
      const onError = (error?: unknown) => {
        done();
        reject(error instanceof Error ? error : new Error('the server closed the socket'));
      };
      const onData = (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        const headerEnd = buffer.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const head = buffer.subarray(0, headerEnd).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
        if (!Number.isSafeInteger(length)) return onError(new Error(`an answer without content-length: ${head}`));
        if (buffer.length < headerEnd + 4 + length) return;
        done();
        if (buffer.length > headerEnd + 4 + length) return reject(new Error('bytes after the answer'));
        const text = buffer.subarray(headerEnd + 4).toString('utf8');
        resolve({ status: Number(head.slice(9, 12)), body: text ? JSON.parse(text) : undefined });
      };
      socket.on('data', onData).on('error', onError).on('close', onError);
      socket.write(request);
    });
  }
  return {
    async post(path: string, token: string, key: string) {
      const socket = idle.pop();
      if (!socket) throw new Error('more requests in flight than sockets');
      try {
        return await exchange(
          socket,
          `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${token}\r\nidempotency-key: ${key}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`,
        );
      } finally {
        idle.push(socket);
      }
    },
    close() {
      for (const socket of all) socket.destroy();
    },
  };
}

/** CPU seconds used so far by a process and its cluster workers. */
function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      ticks += cpuTicks(p);
    } catch {
      // the process ended while we looked
    }
  }
  return ticks / 100;
}

export async function merchantsCouponRush() {
  const members = envInt('MERCHANT_RUSH_MEMBERS', 10_000);
  const keysEach = envInt('MERCHANT_RUSH_KEYS_EACH', 10);
  const quota = envInt('MERCHANT_RUSH_QUOTA', 10_000);
  const concurrency = envInt('MERCHANT_CONCURRENCY', 256);
  const workers = envInt('MERCHANT_RUSH_WORKERS', 1);
  const { server, fixture } = await seedMembers('merchants-coupon-rush', members, false, { WORKERS: String(workers) });
  const http1 = client(server, 4);
  const rush = rushClient(server.port, concurrency);
  try {
    const operatorToken = fixture.tokens[1] as string;
    const campaign = await createCampaign(http1, operatorToken, quota, 1);
    const grabbers = fixture.tokens.slice(2);
    const jobs = grabbers.flatMap((token) => Array.from({ length: keysEach }, () => token));
    for (let i = jobs.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [jobs[i], jobs[j]] = [jobs[j] as string, jobs[i] as string];
    }
    const keys = jobs.map(() => randomUUID());
    const statuses = new Map<string, number>();
    const latencies: number[] = [];
    let next = 0;
    const serverCpu0 = treeCpuSeconds(server.pid);
    const benchCpu0 = process.cpuUsage();
    const t0 = now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs.length) {
          const i = next++;
          const s = now();
          const r = await rush.post(`/api/v1/coupon-campaigns/${campaign}/grabs`, jobs[i] as string, keys[i] as string);
          latencies.push(now() - s);
          const code = r.status === 201 ? 'issued' : String(r.body?.error?.code ?? r.status);
          statuses.set(code, (statuses.get(code) ?? 0) + 1);
        }
      }),
    );
    const seconds = (now() - t0) / 1000;
    const serverCpuS = treeCpuSeconds(server.pid) - serverCpu0;
    const benchCpu = process.cpuUsage(benchCpu0);
    latencies.sort((a, b) => a - b);
    const rows = await server.db.db
      .selectFrom('coupons' as never)
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('campaign_id' as never, '=', Number(campaign) as never)
      .executeTakeFirst();
    const perMember = await server.db.db
      .selectFrom('coupons' as never)
      .select(['account_id' as never, (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('campaign_id' as never, '=', Number(campaign) as never)
      .groupBy('account_id' as never)
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    return {
      scenario: 'merchants-coupon-rush',
      database: server.dialect,
      grabs: jobs.length,
      quota,
      seconds: r2(seconds),
      grabs_per_s: Math.round(jobs.length / seconds),
      p50_ms: r2(pct(latencies, 50)),
      p99_ms: r2(pct(latencies, 99)),
      issued_answers: statuses.get('issued') ?? 0,
      issued_rows: Number((rows as { n?: string | number } | undefined)?.n ?? 0),
      members_over_cap: perMember.length,
      outcomes: Object.fromEntries(statuses),
      server_peak_rss_mib: rssMiB(server.pid).hwm,
      workers,
      // Figures that survive a shared machine: CPU time per grab, and what the rest of it was doing.
      server_cpu_s: r2(serverCpuS),
      server_cpu_us_per_grab: Math.round((serverCpuS * 1e6) / jobs.length),
      bench_cpu_s: r2((benchCpu.user + benchCpu.system) / 1e6),
      loadavg_1m: r2(os.loadavg()[0] as number),
    };
  } finally {
    rush.close();
    http1.close();
    await server.stop();
  }
}
