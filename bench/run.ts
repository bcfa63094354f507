/**
 * `npm run bench` runs every scenario; `npm run bench -- chat-1to1 chat-catchup` runs those;
 * `npm run bench -- chat` runs every chat-* scenario. One JSON line per scenario on stdout;
 * progress goes to stderr. See docs/performance.md.
 */
import { chat1to1, chatCatchup, chatConnections, chatGroup } from './chat.js';
import { ejabberd } from './ejabberd.js';
import { walletClaims, walletTransfers } from './wallet.js';
import { socialChannelFanout, socialTimeline } from './social.js';
import { officialBroadcast } from './official.js';
import { merchantsCouponRush, merchantsPayments } from './merchants.js';
import { gitState, log } from './lib.js';

const scenarios: Record<string, () => Promise<unknown>> = {
  'chat-1to1': chat1to1,
  'chat-group500': chatGroup,
  'chat-connections': chatConnections,
  'chat-catchup': chatCatchup,
  ejabberd,
  'wallet-transfers': walletTransfers,
  'wallet-claims': walletClaims,
  'social-timeline': socialTimeline,
  'social-channel-fanout': socialChannelFanout,
  'official-broadcast': officialBroadcast,
  'merchants-payments': merchantsPayments,
  'merchants-coupon-rush': merchantsCouponRush,
};

const wanted = process.argv.slice(2);
const names =
  wanted.length === 0 ? Object.keys(scenarios) : Object.keys(scenarios).filter((name) => wanted.some((w) => name === w || name.startsWith(`${w}-`)));
if (names.length === 0) {
  console.error(`unknown scenario ${wanted.join(' ')}; known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}

let failed = false;
for (const name of names) {
  log(`scenario ${name}`);
  const hard = setTimeout(() => {
    console.log(JSON.stringify({ scenario: name, error: 'hard time limit (10 min) hit' }));
    process.exit(3);
  }, 10 * 60_000);
  try {
    const result = await (scenarios[name] as () => Promise<unknown>)();
    console.log(JSON.stringify({ ...(result as object), ...gitState() }));
  } catch (error) {
    failed = true;
    console.log(JSON.stringify({ scenario: name, error: String((error as Error)?.stack ?? error).slice(0, 500) }));
  } finally {
    clearTimeout(hard);
  }
}
process.exit(failed ? 1 : 0);
