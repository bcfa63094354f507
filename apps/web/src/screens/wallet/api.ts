import { PlazaApiError } from '@plaza/client';
import { getAuth } from '../../lib/api';

export interface Balance {
  asset: string;
  scale: number;
  minorUnit: string;
  availableMinor: string;
  heldMinor: string;
}
export interface WalletLimits {
  paymentMaxMinor: string;
  dailyOutgoingMaxMinor: string;
  dailyOutgoingLeftMinor: string;
  withdrawalFeeBasisPoints: number;
  withdrawalFeeMinMinor: string;
  redPacketTotalMaxMinor: string;
  redPacketCountMax: number;
}
export interface WalletInfo {
  balances: Balance[];
  pinSet: boolean;
  goldActivated: boolean;
  limits: WalletLimits;
}
export interface BankCard {
  id: string;
  last4: string;
  brand: string;
  holderName: string;
}
export interface Transfer {
  id: string;
  fromAccountId: string;
  toAccountId: string;
  asset: string;
  amountMinor: string;
  note: string;
  status: 'pending' | 'posted' | 'voided';
  expiresAt: string | null;
}
export interface RedPacketClaim {
  account: { id: string; displayName: string };
  amountMinor: string;
  createdAt: string;
  luckiest: boolean;
}
export interface RedPacket {
  id: string;
  senderId: string;
  conversationId: string;
  exclusiveTo: string | null;
  sender: { id: string; displayName: string };
  mode: 'random' | 'equal' | 'exclusive';
  asset: string;
  totalMinor: string;
  count: number;
  remainingCount: number;
  greeting: string;
  status: 'active' | 'finished' | 'refunded';
  /** Gold packets: what the weight is worth at today's price, in fen; null for cash. */
  worthMinor: string | null;
  myClaim: { amountMinor: string; worthMinor: string | null } | null;
  claims: RedPacketClaim[];
}
export interface BillEntry {
  id: string;
  kind: string;
  title: string;
  asset: string;
  direction: 'in' | 'out';
  amountMinor: string;
  status: string;
  counterparty: { id: string; displayName: string } | null;
  note: string;
  createdAt: string;
}
export interface GoldInfo {
  pricePerGramMinor: string;
  holdingMg: string;
  worthMinor: string;
  activated: boolean;
  history: { day: string; pricePerGramMinor: string }[];
}

/** A wallet error with the server's details (such as `attemptsLeft` after a wrong PIN). */
export class WalletApiError extends PlazaApiError {
  readonly details: Record<string, unknown> | undefined;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(status, code, message);
    this.details = details;
  }
}

/** Wallet calls need an Idempotency-Key on every money-moving POST, which the shared client does not send. */
async function call<T>(method: string, path: string, body?: unknown, idempotent = false): Promise<T> {
  const headers: Record<string, string> = {};
  const { token } = getAuth();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (idempotent) headers['idempotency-key'] = crypto.randomUUID();
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new PlazaApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : 'Network error');
  }
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => null)) as (T & { error?: { code?: string; message?: string; details?: Record<string, unknown> } }) | null;
  if (!response.ok)
    throw new WalletApiError(response.status, data?.error?.code ?? 'HTTP_ERROR', data?.error?.message ?? response.statusText, data?.error?.details);
  return data as T;
}

export const walletApi = {
  wallet: () => call<WalletInfo>('GET', '/api/v1/wallet'),
  setPin: (pin: string, currentPin?: string) => call<unknown>('POST', '/api/v1/wallet/pin', { pin, ...(currentPin ? { currentPin } : {}) }),
  cards: () => call<{ cards: BankCard[] }>('GET', '/api/v1/bank-cards'),
  bindCard: (number: string, holderName: string) => call<{ card: BankCard }>('POST', '/api/v1/bank-cards', { number, holderName }),
  removeCard: (id: string) => call<void>('DELETE', `/api/v1/bank-cards/${id}`),
  topUp: (cardId: string, amountMinor: string, pin: string) =>
    call<unknown>('POST', '/api/v1/wallet/top-ups', { cardId, asset: 'CNY', amountMinor, pin }, true),
  withdraw: (cardId: string, amountMinor: string, pin: string) =>
    call<{ withdrawal: { feeMinor: string } }>('POST', '/api/v1/wallet/withdrawals', { cardId, asset: 'CNY', amountMinor, pin }, true),
  sendTransfer: (toAccountId: string, asset: string, amountMinor: string, note: string, pin: string) =>
    call<{ transfer: Transfer }>('POST', '/api/v1/transfers', { toAccountId, asset, amountMinor, note, pin }, true),
  transfer: (id: string) => call<{ transfer: Transfer }>('GET', `/api/v1/transfers/${id}`),
  acceptTransfer: (id: string) => call<{ transfer: Transfer }>('POST', `/api/v1/transfers/${id}/accept`, {}, true),
  returnTransfer: (id: string) => call<{ transfer: Transfer }>('POST', `/api/v1/transfers/${id}/return`, {}, true),
  sendRedPacket: (body: {
    conversationId: string;
    mode: string;
    asset: string;
    totalMinor: string;
    count: number;
    greeting: string;
    exclusiveTo?: string;
    pin: string;
  }) => call<{ redPacket: RedPacket }>('POST', '/api/v1/red-packets', body, true),
  redPacket: (id: string) => call<{ redPacket: RedPacket }>('GET', `/api/v1/red-packets/${id}`),
  claim: (id: string) => call<{ claim: { amountMinor: string; asset: string } }>('POST', `/api/v1/red-packets/${id}/claim`, {}, true),
  bill: (query: BillFilter & { cursor?: string }) =>
    call<{ entries: BillEntry[]; nextCursor: string | null }>('GET', `/api/v1/wallet/bill?${billParams({ ...query, limit: '30' })}`),
  monthly: (asset = 'CNY') =>
    call<{ months: { month: string; inMinor: string; outMinor: string }[] }>('GET', `/api/v1/wallet/bill/monthly?asset=${asset}&months=6`),
  billCsv: async (filter: BillFilter) => {
    const { token } = getAuth();
    const response = await fetch(`/api/v1/wallet/bill.csv?${billParams(filter)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!response.ok) throw new PlazaApiError(response.status, 'HTTP_ERROR', response.statusText);
    return response.blob();
  },
  gold: () => call<{ gold: GoldInfo }>('GET', '/api/v1/gold?days=30'),
  activateGold: (realName: string, idNumber: string) => call<unknown>('POST', '/api/v1/gold/activation', { realName, idNumber, acceptTerms: true }),
  tradeGold: (side: 'buy' | 'sell', weightMg: string, pin: string) =>
    call<{ trade: { amountMinor: string } }>('POST', `/api/v1/gold/${side}`, { weightMg, pin }, true),
  setGoldPrice: (pricePerGramMinor: string) => call<{ gold: GoldInfo }>('PUT', '/api/v1/operator/gold-price', { pricePerGramMinor }),
};

export interface BillFilter {
  direction?: string;
  asset?: string;
  kind?: string;
  month?: string;
}

function billParams(query: BillFilter & { cursor?: string; limit?: string }): URLSearchParams {
  return new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
}

/** "123456" fen → "1,234.56"; XAU milligrams → grams with 3 decimals. Integer arithmetic only. */
export function formatMinor(minor: string | number, asset = 'CNY'): string {
  const scale = asset === 'XAU' ? 3 : 2;
  const n = Number(minor);
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const whole = String(Math.floor(abs / 10 ** scale)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = String(abs % 10 ** scale).padStart(scale, '0');
  return `${sign}${whole}.${frac}`;
}

/** "¥12.34" or "1.500 g": an amount with its unit, as every money label shows it. */
export function formatAmount(minor: string | number, asset = 'CNY'): string {
  return asset === 'XAU' ? `${formatMinor(minor, asset)} g` : `¥${formatMinor(minor, asset)}`;
}

/** "12.34" → "1234" (CNY) or grams → milligrams (XAU); undefined when not a positive amount. */
export function parseMajor(text: string, asset = 'CNY'): string | undefined {
  const scale = asset === 'XAU' ? 3 : 2;
  const match = new RegExp(`^(\\d{1,9})(?:\\.(\\d{1,${scale}}))?$`).exec(text.trim());
  if (!match) return undefined;
  const minor = Number(match[1]) * 10 ** scale + Number((match[2] ?? '').padEnd(scale, '0'));
  return minor > 0 ? String(minor) : undefined;
}

export function unitOf(asset: string): string {
  return asset === 'XAU' ? 'g' : '¥';
}
