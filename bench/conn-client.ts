/**
 * Child process of the chat-connections scenario: opens idle authenticated WebSockets for tokens
 * [start, end) of a tokens file, prints one JSON line {connected, failed, seconds} and then holds
 * them open until its stdin closes (bounded: 5 minutes).
 * Usage: node --import tsx bench/conn-client.ts ws://127.0.0.1:PORT/ws tokens.json START END
 */
import fs from 'node:fs';
import { type Client, connectClient, log, now, pool } from './lib.js';

const [wsUrl, tokensFile, startRaw, endRaw] = process.argv.slice(2);
if (!wsUrl?.startsWith('ws://127.0.0.1:')) throw new Error('loopback ws url required');
const tokens = JSON.parse(fs.readFileSync(tokensFile as string, 'utf8')) as string[];
const start = Number(startRaw);
const end = Number(endRaw);
const concurrency = Number(process.env.CONN_CONCURRENCY || 100);

const t0 = now();
let failed = 0;
let done = 0;
const hardStop = setTimeout(() => process.exit(0), 5 * 60_000);
const indexes = Array.from({ length: end - start }, (_, i) => start + i);
const clients = await pool(indexes, concurrency, async (i) => {
  let client: Client | undefined;
  try {
    client = await connectClient(wsUrl, tokens[i] as string, i, 0, undefined, 60_000);
  } catch (error) {
    failed += 1;
    if (failed <= 3) log(`conn-client: ${String(error)}`);
  }
  done += 1;
  if (done % 2000 === 0) log(`conn-client ${start}-${end}: ${done} done, ${failed} failed`);
  return client;
});
const open = clients.filter((c) => c && c.socket.readyState === c.socket.OPEN).length;
process.stdout.write(`${JSON.stringify({ connected: open, failed: end - start - open, seconds: (now() - t0) / 1000 })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  clearTimeout(hardStop);
  for (const c of clients) c?.socket.terminate();
  process.exit(0);
});
