/**
 * Chat benchmarks against a real Plaza server in a child process (see lib.ts). Each scenario
 * returns one object of figures; run.ts prints it as one JSON line.
 *
 * The step method mirrors the ejabberd peer's loadgen.js so the two are comparable: an open-loop
 * sender paces messages every 2 ms at a fixed offered rate, round-robin over the clients; each
 * step has a warm-up, a measured window and a bounded drain. A message's text starts with
 * "T<send time in ms> s<sender index>"; latency is receive time minus that, measured in this
 * process (same clock). "sustained" uses loadgen's rule (p99 ≤ 100 ms, everything delivered,
 * ≥ 98 % of expected deliveries/s); "meets_target" uses the p99 ≤ 50 ms.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import {
  type Client,
  closeAll,
  cpuTicks,
  connectClient,
  cpuMeter,
  envInt,
  envList,
  log,
  machineMeter,
  now,
  pct,
  pool,
  processTree,
  r2,
  type Server,
  ROOT,
  rssMiB,
  seedAccounts,
  seedDirectPairs,
  seedGroup,
  sleep,
  startServer,
} from './lib.js';

const WARMUP_S = envInt('BENCH_WARMUP_S', 3);
let DURATION_S = envInt('BENCH_DURATION_S', 20);
/** The ejabberd scenario runs four step series in one 10-minute budget, so it uses shorter steps. */
export function setStepDuration(seconds: number): void {
  DURATION_S = seconds;
}
const DRAIN_S = envInt('BENCH_DRAIN_S', 5);
const STOP_ON_FAIL = envInt('BENCH_STOP_ON_FAIL', 1) === 1;
const PAD = ' '.padEnd(100, 'x'); // ~100-byte bodies, like loadgen's default
/** Unique across steps: a repeated clientMsgId is (rightly) deduplicated by the server, not delivered again. */
let msgCounter = 0;

interface StepResult {
  offered_per_s: number;
  sent_per_s: number;
  acked_per_s: number;
  delivered_per_s: number;
  expected_deliveries_per_s: number;
  undelivered_after_drain: number;
  errors: number;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  ack_p50_ms: number | null;
  ack_p99_ms: number | null;
  server_cpu_pct: number;
  bench_cpu_pct: number;
  other_cpu_pct: number;
  server_cpu_us_per_msg: number | null;
  server_cpu_us_per_delivery: number | null;
  loadavg_1m: number;
  server_rss_mib: number;
  closed_sockets: number;
  sustained: boolean;
  meets_target: boolean;
}

/**
 * One load step. `target(c)` gives the conversation a client sends to; `fanout` is how many
 * deliveries one message should make that we count (1 for 1:1: the peer; members for a group).
 * `countSelf` says whether the sender's own echo counts as a delivery.
 */
async function step(server: Server, clients: Client[], rate: number, target: (c: Client) => string, fanout: number, countSelf: boolean): Promise<StepResult> {
  const cap = Math.ceil(rate * fanout * (DURATION_S + 2) * 1.2) + 1000;
  const lat = new Float64Array(cap);
  let nLat = 0;
  const ackLat = new Float64Array(Math.ceil(rate * (DURATION_S + 2) * 1.2) + 1000);
  let nAck = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let recvInWindow = 0;
  let recvTotal = 0;
  let sentInWindow = 0;
  let sentTotal = 0;
  let ackInWindow = 0;
  let errors = 0;
  let closed = 0;
  const onClose = () => {
    closed += 1;
  };
  for (const c of clients) {
    c.socket.on('close', onClose);
    c.onText = (text) => {
      const t = now();
      if (text.startsWith('{"type":"event"')) {
        const j = text.indexOf('"text":"T');
        if (j < 0) return;
        const e = text.indexOf(' ', j + 9);
        const ts = Number(text.slice(j + 9, e));
        const senderIndex = Number(text.slice(e + 2, text.indexOf(' ', e + 1)));
        if (!countSelf && senderIndex === c.index) return;
        recvTotal += 1;
        if (t >= windowStart && t < windowEnd) recvInWindow += 1;
        if (ts >= windowStart && ts < windowEnd && nLat < cap) lat[nLat++] = t - ts;
      } else if (text.startsWith('{"type":"ack"')) {
        const j = text.indexOf('"text":"T');
        const ts = Number(text.slice(j + 9, text.indexOf(' ', j + 9)));
        if (t >= windowStart && t < windowEnd) ackInWindow += 1;
        if (ts >= windowStart && ts < windowEnd && nAck < ackLat.length) ackLat[nAck++] = t - ts;
      } else if (text.startsWith('{"type":"error"')) {
        errors += 1;
        if (errors <= 3) log('error frame:', text.slice(0, 300));
      }
    };
  }
  const n = clients.length;
  let rr = 0;
  const t0 = now();
  const sendUntil = t0 + (WARMUP_S + DURATION_S) * 1000;
  const maxPerTick = Math.max(1, Math.ceil(rate * 0.2));
  let serverCpu: (() => number) | undefined;
  let machineCpu: (() => number) | undefined;
  let benchCpu0 = process.cpuUsage();
  let measureStartPerf = 0;
  await new Promise<void>((resolve) => {
    const iv = setInterval(() => {
      const t = now();
      if (t >= sendUntil) {
        clearInterval(iv);
        resolve();
        return;
      }
      if (windowStart === Number.POSITIVE_INFINITY && t >= t0 + WARMUP_S * 1000) {
        windowStart = t;
        windowEnd = t + DURATION_S * 1000;
        serverCpu = cpuMeter(server.pid);
        machineCpu = machineMeter();
        benchCpu0 = process.cpuUsage();
        measureStartPerf = performance.now();
      }
      let due = Math.floor((rate * (t - t0)) / 1000) - sentTotal;
      if (due > maxPerTick) due = maxPerTick;
      for (let k = 0; k < due; k++) {
        const c = clients[rr] as Client;
        rr = rr + 1 === n ? 0 : rr + 1;
        if (c.socket.readyState !== WebSocket.OPEN) continue;
        const ts = now();
        msgCounter += 1;
        c.socket.send(
          `{"type":"send","conversationId":"${target(c)}","message":{"clientMsgId":"b${msgCounter}","type":"text","text":"T${ts.toFixed(3)} s${c.index}${PAD}"}}`,
        );
        sentTotal += 1;
        if (ts >= windowStart && ts < windowEnd) sentInWindow += 1;
      }
    }, 2);
  });
  const tEnd = now();
  const serverCpuPct = serverCpu ? serverCpu() : 0;
  const machinePct = machineCpu ? machineCpu() : 0;
  const benchCpu = process.cpuUsage(benchCpu0);
  const benchCpuPct = Math.round(((benchCpu.user + benchCpu.system) / 1000 / (performance.now() - measureStartPerf)) * 100);
  const measuredS = (tEnd - windowStart) / 1000;
  const expected = sentTotal * fanout;
  const drainEnd = now() + DRAIN_S * 1000;
  while (recvTotal < expected && now() < drainEnd) await sleep(20);
  for (const c of clients) {
    c.socket.off('close', onClose);
    c.onText = () => {};
  }
  const s = lat.subarray(0, nLat).sort();
  const a = ackLat.subarray(0, nAck).sort();
  const res: StepResult = {
    offered_per_s: rate,
    sent_per_s: Math.round(sentInWindow / measuredS),
    acked_per_s: Math.round(ackInWindow / measuredS),
    delivered_per_s: Math.round(recvInWindow / measuredS),
    expected_deliveries_per_s: Math.round((sentInWindow * fanout) / measuredS),
    undelivered_after_drain: expected - recvTotal,
    errors,
    p50_ms: r2(pct(s, 50)),
    p90_ms: r2(pct(s, 90)),
    p99_ms: r2(pct(s, 99)),
    max_ms: r2(nLat ? (s[nLat - 1] as number) : Number.NaN),
    ack_p50_ms: r2(pct(a, 50)),
    ack_p99_ms: r2(pct(a, 99)),
    server_cpu_pct: serverCpuPct,
    bench_cpu_pct: benchCpuPct,
    other_cpu_pct: Math.max(0, machinePct - serverCpuPct - benchCpuPct),
    // Contention-robust efficiency: server CPU time per acked message / per delivery.
    server_cpu_us_per_msg: ackInWindow ? Math.round(((serverCpuPct / 100) * 1e6) / (ackInWindow / measuredS)) : null,
    server_cpu_us_per_delivery: recvInWindow ? Math.round(((serverCpuPct / 100) * 1e6) / (recvInWindow / measuredS)) : null,
    loadavg_1m: os.loadavg()[0] as number,
    server_rss_mib: rssMiB(server.pid).rss,
    closed_sockets: closed,
    sustained: false,
    meets_target: false,
  };
  const allThere = res.undelivered_after_drain <= 0 && res.delivered_per_s >= 0.98 * res.expected_deliveries_per_s && errors === 0 && closed === 0;
  res.sustained = allThere && (res.p99_ms ?? Number.POSITIVE_INFINITY) <= 100;
  res.meets_target = allThere && (res.p99_ms ?? Number.POSITIVE_INFINITY) <= 50;
  log(JSON.stringify(res));
  return res;
}

async function steps(server: Server, clients: Client[], rates: number[], target: (c: Client) => string, fanout: number, countSelf: boolean) {
  const results: StepResult[] = [];
  for (const rate of rates) {
    log(`step: offered ${rate} msg/s (fanout ${fanout})`);
    const res = await step(server, clients, rate, target, fanout, countSelf);
    results.push(res);
    if (res.closed_sockets > 0 || (STOP_ON_FAIL && !res.sustained)) break;
    await sleep(2000);
  }
  return results;
}

function best(results: StepResult[], key: 'sustained' | 'meets_target'): number {
  return Math.max(0, ...results.filter((r) => r[key]).map((r) => r.delivered_per_s));
}

// 1. chat-1to1 ----------------------------------------------------------------------------------
export async function chat1to1(opts: { rates?: number[] } = {}) {
  const clientsN = envInt('CHAT_CLIENTS', 1000) & ~1;
  const rates = opts.rates ?? envList('CHAT_RATES', [500, 1000, 2000, 4000, 8000]);
  const { server, fixture } = await startServer('chat-1to1', async (db) => {
    const { ids, tokens } = await seedAccounts(db, clientsN, 'c');
    const pairs: [number, number][] = [];
    for (let i = 0; i < clientsN; i += 2) pairs.push([ids[i] as number, ids[i + 1] as number]);
    const convIds = await seedDirectPairs(db, pairs);
    return { ids, tokens, convIds };
  });
  try {
    const t0 = now();
    const clients = await pool(fixture.ids, 100, (id, i) => connectClient(server.wsUrl, fixture.tokens[i] as string, i, id));
    log(`chat-1to1: ${clients.length} clients connected in ${((now() - t0) / 1000).toFixed(1)} s`);
    const conv = (c: Client) => String(fixture.convIds[c.index >> 1]);
    const results = await steps(server, clients, rates, conv, 1, false);
    await closeAll(clients);
    return {
      scenario: 'chat-1to1',
      database: server.dialect,
      clients: clientsN,
      conversations: clientsN / 2,
      warmup_s: WARMUP_S,
      duration_s: DURATION_S,
      max_sustained_msgs_per_s: best(results, 'sustained'),
      max_msgs_per_s_p99_le_50ms: best(results, 'meets_target'),
      steps: results,
      server_peak_rss_mib: rssMiB(server.pid).hwm,
    };
  } finally {
    await server.stop();
  }
}

// 2. chat-group500 ------------------------------------------------------------------------------
export async function chatGroup(opts: { rates?: number[] } = {}) {
  const members = Math.min(500, envInt('GROUP_MEMBERS', 500));
  const rates = opts.rates ?? envList('GROUP_RATES', [20, 50, 100, 150]);
  const { server, fixture } = await startServer('chat-group500', async (db) => {
    const { ids, tokens } = await seedAccounts(db, members, 'g');
    const convId = await seedGroup(db, ids, 'bench group');
    return { ids, tokens, convId };
  });
  try {
    const clients = await pool(fixture.ids, 50, (id, i) => connectClient(server.wsUrl, fixture.tokens[i] as string, i, id));
    log(`chat-group500: ${clients.length} members connected`);
    const cid = String(fixture.convId);
    const results = await steps(server, clients, rates, () => cid, members, true);
    await closeAll(clients);
    return {
      scenario: 'chat-group500',
      database: server.dialect,
      members,
      note: 'offered_per_s = group messages/s; deliveries count every member incl. the sender (like loadgen muc)',
      warmup_s: WARMUP_S,
      duration_s: DURATION_S,
      max_sustained_deliveries_per_s: best(results, 'sustained'),
      max_deliveries_per_s_p99_le_50ms: best(results, 'meets_target'),
      steps: results,
      server_peak_rss_mib: rssMiB(server.pid).hwm,
    };
  } finally {
    await server.stop();
  }
}

// 3. chat-connections ---------------------------------------------------------------------------
export async function chatConnections() {
  const target = envInt('CONN_TARGET', 20_000);
  const procs = Math.max(1, envInt('CONN_PROCS', 2));
  // A process may hold at most the hard open-files limit (20,000 here), so 20,000 sockets need the
  // server's cluster mode: WORKERS processes share the port and split the sockets.
  const workers = Math.max(1, envInt('CONN_WORKERS', 2));
  const { server, fixture } = await startServer('chat-connections', (db) => seedAccounts(db, target, 'k'), { env: { WORKERS: String(workers) } });
  const treeRss = () => processTree(server.pid).reduce((sum, pid) => sum + rssMiB(pid).rss, 0);
  const treeCpu = () => processTree(server.pid).reduce((sum, pid) => sum + cpuTicks(pid), 0);
  const tokensFile = path.join(os.tmpdir(), `plaza-bench-tokens-${process.pid}.json`);
  fs.writeFileSync(tokensFile, JSON.stringify(fixture.tokens));
  const children: ReturnType<typeof spawn>[] = [];
  try {
    const rssBefore = treeRss();
    const cpu0 = treeCpu();
    const t0 = now();
    const per = Math.ceil(target / procs);
    const done = await Promise.all(
      Array.from({ length: procs }, (_, p) => {
        const start = p * per;
        const end = Math.min(target, start + per);
        const child = spawn(
          'bash',
          [
            '-c',
            `{ ulimit -n 65535 2>/dev/null || ulimit -n $(ulimit -Hn); } && exec node --import tsx bench/conn-client.ts ${server.wsUrl} ${tokensFile} ${start} ${end}`,
          ],
          {
            cwd: ROOT,
            stdio: ['pipe', 'pipe', 'inherit'],
          },
        );
        children.push(child);
        return new Promise<{ connected: number; failed: number; seconds: number }>((resolve) => {
          let buf = '';
          child.stdout?.on('data', (d) => {
            buf += String(d);
            const nl = buf.indexOf('\n');
            if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
          });
          child.once('exit', () => resolve({ connected: 0, failed: end - start, seconds: 0 }));
        });
      }),
    );
    const seconds = (now() - t0) / 1000;
    const cpuPct = Math.round(((treeCpu() - cpu0) / 100 / seconds) * 100);
    await sleep(3000); // let the server settle, then measure the idle footprint
    const connected = done.reduce((s, d) => s + d.connected, 0);
    const failed = done.reduce((s, d) => s + d.failed, 0);
    const pids = processTree(server.pid);
    const perProcess = pids.map((pid) => ({ pid, rss_mib: rssMiB(pid).rss, open_fds: fs.readdirSync(`/proc/${pid}/fd`).length }));
    const mem = { rss: treeRss(), hwm: pids.reduce((sum, pid) => sum + rssMiB(pid).hwm, 0) };
    // Still open after the settle time? The most any one process holds, against its limit.
    const fds = Math.max(...perProcess.map((p) => p.open_fds));
    const fdLimit = Number(/Max open files\s+(\d+)/.exec(fs.readFileSync(`/proc/${server.pid}/limits`, 'utf8'))?.[1] ?? Number.NaN);
    return {
      scenario: 'chat-connections',
      database: server.dialect,
      target,
      client_processes: procs,
      server_processes: pids.length,
      per_process: perProcess,
      connected,
      failed,
      connect_seconds: r2(seconds),
      hellos_per_s: Math.round(connected / seconds),
      server_cpu_pct_while_connecting: cpuPct,
      server_rss_mib_before: rssBefore,
      server_rss_mib: mem.rss,
      server_peak_rss_mib: mem.hwm,
      rss_kib_per_connection: connected ? Math.round(((mem.rss - rssBefore) * 1024) / connected) : null,
      server_max_open_fds_per_process: fds,
      server_fd_limit: fdLimit,
      within_2gib: mem.rss <= 2048,
    };
  } finally {
    for (const c of children) c.stdin?.end();
    await sleep(1000);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fs.rmSync(tokensFile, { force: true });
    await server.stop();
  }
}

// 4. chat-catchup -------------------------------------------------------------------------------
export async function chatCatchup() {
  const reps = envInt('CATCHUP_REPS', 200);
  const missed = envInt('CATCHUP_EVENTS', 100);
  const { server, fixture } = await startServer('chat-catchup', async (db) => {
    const { ids, tokens } = await seedAccounts(db, 2, 'u');
    const [convId] = await seedDirectPairs(db, [[ids[0] as number, ids[1] as number]]);
    return { ids, tokens, convId: convId as number };
  });
  try {
    const sender = await connectClient(server.wsUrl, fixture.tokens[1] as string, 1, fixture.ids[1] as number);
    let pendingAcks = 0;
    let acksDone: (() => void) | undefined;
    sender.onText = (text) => {
      if (text.startsWith('{"type":"ack"') || text.startsWith('{"type":"error"')) {
        pendingAcks -= 1;
        if (pendingAcks === 0) acksDone?.();
      }
    };
    let lastSeq = 0;
    const toReady: number[] = [];
    const withConnect: number[] = [];
    let wrong = 0;
    let seq = 0;
    for (let rep = 0; rep < reps; rep++) {
      // The device is offline while `missed` messages arrive (acked = durable).
      await new Promise<void>((resolve) => {
        acksDone = resolve;
        pendingAcks = missed;
        for (let k = 0; k < missed; k++) {
          seq += 1;
          sender.socket.send(
            JSON.stringify({
              type: 'send',
              conversationId: String(fixture.convId),
              message: { clientMsgId: `c${seq}`, type: 'text', text: `catch-up ${seq}` },
            }),
          );
        }
      });
      // Reconnect with afterSeq; time until all missed events and `ready` have arrived.
      const r = await new Promise<{ hello: number; total: number; got: number; lastSeq: number }>((resolve, reject) => {
        const tOpen = now();
        let tHello = 0;
        let got = 0;
        const socket = new WebSocket(server.wsUrl, { perMessageDeflate: false });
        const timer = setTimeout(() => reject(new Error('catch-up timed out')), 10_000);
        socket.once('open', () => {
          tHello = now();
          socket.send(JSON.stringify({ type: 'hello', token: fixture.tokens[0], afterSeq: lastSeq }));
        });
        socket.on('message', (d) => {
          const text = String(d);
          if (text.startsWith('{"type":"event"')) got += 1;
          else if (text.startsWith('{"type":"ready"')) {
            const t = now();
            clearTimeout(timer);
            const ready = JSON.parse(text);
            socket.terminate();
            resolve({ hello: t - tHello, total: t - tOpen, got, lastSeq: ready.lastSeq });
          }
        });
        socket.once('error', reject);
      });
      if (r.got !== missed) wrong += 1;
      lastSeq = r.lastSeq;
      toReady.push(r.hello);
      withConnect.push(r.total);
    }
    sender.socket.terminate();
    toReady.sort((a, b) => a - b);
    withConnect.sort((a, b) => a - b);
    return {
      scenario: 'chat-catchup',
      database: server.dialect,
      reps,
      events_per_catchup: missed,
      wrong_counts: wrong,
      hello_to_all_p50_ms: r2(pct(toReady, 50)),
      hello_to_all_p99_ms: r2(pct(toReady, 99)),
      hello_to_all_max_ms: r2(toReady[toReady.length - 1] as number),
      connect_to_all_p50_ms: r2(pct(withConnect, 50)),
      connect_to_all_p99_ms: r2(pct(withConnect, 99)),
      meets_target_p99_le_5ms: (pct(toReady, 99) ?? Number.POSITIVE_INFINITY) <= 5,
    };
  } finally {
    await server.stop();
  }
}
