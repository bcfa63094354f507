/**
 * Side by side with ejabberd 23.01 (the peer in /work/shared/peers/ejabberd): the same offered
 * loads, the same step method (warm-up, measured window, drain), one JSON object with both.
 * If ejabberd is not installed the scenario reports {"skipped": …}; it never installs it.
 * ejabberd must be run as root (ejabberdctl switches to the ejabberd user).
 */
import { execFileSync, execSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chat1to1, chatGroup, setStepDuration } from './chat.js';
import { envInt, envList, log, sleep } from './lib.js';

const PEER_DIR = process.env.EJABBERD_PEER_DIR || '/work/shared/peers/ejabberd';

function has(cmd: string): boolean {
  try {
    execSync(`command -v ${cmd}`, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function runLoadgen(dir: string, args: string[], timeoutS: number): Promise<{ code: number | null; line: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `ulimit -n 20000 && exec node loadgen.js ${args.join(' ')}`], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, line: out.trim().split('\n').pop() ?? '' });
    });
  });
}

export async function ejabberd() {
  if (!has('ejabberdctl') || !fs.existsSync(path.join(PEER_DIR, 'loadgen.js'))) return { scenario: 'ejabberd', skipped: 'ejabberd not installed' };
  if (process.getuid?.() !== 0) return { scenario: 'ejabberd', skipped: 'ejabberd needs root to start' };
  const chatRates = envList('EJ_CHAT_RATES', [500, 1000, 2000, 4000, 8000]);
  const mucRates = envList('EJ_MUC_RATES', [16, 32, 64, 100]);
  const chatN = envInt('CHAT_CLIENTS', 1000);
  const mucN = Math.min(500, envInt('GROUP_MEMBERS', 500));
  const warmup = envInt('BENCH_WARMUP_S', 3);
  // Four step series (ejabberd and Plaza, 1:1 and group) must fit one 10-minute scenario.
  const duration = envInt('BENCH_DURATION_S', 12);
  const drain = envInt('BENCH_DRAIN_S', 5);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-bench-ejabberd-'));
  fs.chmodSync(dir, 0o755); // ejabberd runs as its own user and must read the config
  for (const f of fs.readdirSync(PEER_DIR)) fs.copyFileSync(path.join(PEER_DIR, f), path.join(dir, f));
  fs.chmodSync(path.join(dir, 'ejctl.sh'), 0o755);
  const ejctl = (...args: string[]) => execFileSync(path.join(dir, 'ejctl.sh'), args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }).toString();
  const result: Record<string, unknown> = { scenario: 'ejabberd', chat_rates: chatRates, group_rates: mucRates, warmup_s: warmup, duration_s: duration };
  try {
    fs.copyFileSync(path.join(dir, 'limits-ejabberd.conf'), '/etc/security/limits.d/ejabberd-bench.conf');
    execSync('mkdir -p /run/ejabberd && chown ejabberd:ejabberd /run/ejabberd');
    log('ejabberd: starting');
    try {
      ejctl('start');
    } catch (error) {
      log('ejabberd start:', String(error).slice(0, 200));
    }
    let up = false;
    for (let i = 0; i < 30 && !up; i++) {
      await sleep(2000);
      try {
        ejctl('status');
        up = true;
      } catch {
        // not yet
      }
    }
    if (!up) throw new Error('ejabberd did not start');
    const pid = execSync('pgrep -u ejabberd beam.smp | head -1').toString().trim();
    result.ejabberd_version = execFileSync('dpkg-query', ['-W', `-f=${'$'}{Version}`, 'ejabberd']).toString();
    // Users may exist from an earlier run: registration conflicts are not fatal.
    const reg = await runLoadgen(dir, ['register', '--n', String(Math.max(chatN, mucN)), '--concurrency', '50'], 300);
    log(`ejabberd: register exited ${reg.code}`);
    try {
      ejctl('create_room', 'bench', 'conference.bench.local', 'bench.local');
    } catch (error) {
      log('create_room:', String(error).slice(0, 200));
    }
    const common = [
      '--ejpid',
      pid,
      '--warmup',
      String(warmup),
      '--duration',
      String(duration),
      '--drain',
      String(drain),
      '--between',
      "'ejabberdctl delete_old_mam_messages all 0'",
      '--stopOnFail',
      '1',
    ];
    const chat = await runLoadgen(dir, ['chat', '--n', String(chatN), '--rates', chatRates.join(','), ...common], 600);
    const muc = await runLoadgen(dir, ['muc', '--n', String(mucN), '--rates', mucRates.join(','), ...common], 600);
    const parse = (line: string) => {
      try {
        return JSON.parse(line).results;
      } catch {
        return { error: line.slice(0, 200) };
      }
    };
    const chatRes = parse(chat.line);
    const mucRes = parse(muc.line);
    const bestOf = (rs: unknown) => (Array.isArray(rs) ? Math.max(0, ...rs.filter((r) => r.sustained).map((r) => r.delivered_per_s)) : 0);
    result.ejabberd = {
      durability: 'archive (MAM) writes not fsynced per message',
      chat_max_sustained_msgs_per_s: bestOf(chatRes),
      muc_max_sustained_deliveries_per_s: bestOf(mucRes),
      chat: chatRes,
      muc: mucRes,
    };
  } catch (error) {
    result.ejabberd = { error: String(error) };
  } finally {
    try {
      ejctl('stop');
    } catch {
      // already stopped
    }
    await sleep(3000);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // Plaza under the same offered loads (ejabberd stopped, so each has the machine to itself).
  if (envInt('EJ_SKIP_PLAZA', 0) !== 1) {
    setStepDuration(duration);
    const chat = await chat1to1({ rates: chatRates });
    const group = await chatGroup({ rates: mucRates });
    result.plaza = {
      durability: 'SQLite WAL synchronous=FULL: committed (fsynced) before ack',
      chat_max_sustained_msgs_per_s: chat.max_sustained_msgs_per_s,
      group_max_sustained_deliveries_per_s: group.max_sustained_deliveries_per_s,
      chat: chat.steps,
      group: group.steps,
    };
  }
  return result;
}
