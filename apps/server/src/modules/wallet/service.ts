import { createHash, createHmac, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import type {
  BillEntry,
  BillQuery,
  BindCardBody,
  CreateRedPacketBody,
  CreateTransferBody,
  FundingBody,
  GoldActivationBody,
  GoldTradeBody,
  SetPinBody,
} from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import { AppError, fail, invariant } from '../../lib/errors.js';
import { idString, parseId, toIso } from '../../lib/ids.js';
import type { AccountsService } from '../accounts/index.js';
import { isUniqueViolation } from '../accounts/index.js';
import type { ChatService } from '../chat/index.js';
import type { BankAdapter } from './bank/adapter.js';
import { luhnValid } from './bank/adapter.js';
import { createBankSimulator } from './bank/simulator.js';
import { maskIdNumber, validPrcIdNumber } from './gold/id-number.js';
import { createOperatorGoldPrice, type GoldPriceSource } from './gold/price.js';
import { type AccountRef, createAccountDirectory, IdempotencyConflict, type LedgerResult, LedgerWriter, type NewTransfer, verifyLedger } from './ledger.js';
import type { LedgerPort } from './port.js';
import { loadWalletSettings, type WalletSettings } from './settings.js';
import { drawShare } from './split.js';
import { OPERATOR_OWNER_ID, type RedPacketRow, type TransferRow, type WalletDb, type WalletTrx } from './tables.js';

// @node-rs/argon2's Algorithm is a const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2;
const DAY_MS = 24 * 3600 * 1000;
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,100}$/;

export interface Response {
  statusCode: number;
  body: unknown;
}

interface PacketState {
  row: RedPacketRow;
  remainingMinor: number;
  remainingCount: number;
  claimed: Set<number>;
}

function present(amount: number): string {
  return String(amount);
}

export function presentTransfer(row: TransferRow) {
  return {
    id: idString(row.id),
    fromAccountId: idString(row.debit_owner_id),
    toAccountId: idString(row.credit_owner_id),
    asset: row.asset,
    amountMinor: present(row.amount),
    note: row.note,
    status: row.status,
    createdAt: toIso(row.created_at),
    expiresAt: row.expires_at === null ? null : toIso(row.expires_at),
    resolvedAt: row.resolved_at === null ? null : toIso(row.resolved_at),
  };
}

/** The request fields that decide what a retry must match (the PIN is left out: it is not stored, even hashed). */
function requestHash(route: string, body: Record<string, unknown>): string {
  const { pin: _pin, ...rest } = body;
  const canonical = JSON.stringify(
    Object.keys(rest)
      .sort()
      .map((k) => [k, String(rest[k])]),
  );
  return createHash('sha256').update(`${route}\n${canonical}`).digest('hex');
}

export function createWalletService(ctx: AppContext, deps: { accounts: AccountsService; chat: ChatService }) {
  const db = ctx.db as unknown as WalletDb;
  const { accounts, chat } = deps;
  const settings: WalletSettings = loadWalletSettings(process.env);
  const writer = new LedgerWriter(db, settings.writerBatchMax, settings.writerBatchMax > 1 ? settings.writerLingerMs : 0);
  const directory = createAccountDirectory(db);
  let bank: BankAdapter = createBankSimulator({ delayMs: settings.bankDelayMs });
  let goldPrice: GoldPriceSource = createOperatorGoldPrice(db, settings.goldPricePerGramMinor);
  let clock = () => Date.now();
  const hashOptions = ctx.config.fastPasswordHashing
    ? { algorithm: ARGON2ID, memoryCost: 1024, timeCost: 1, parallelism: 1 }
    : { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  // A PIN verified once with argon2 is remembered on this node as a keyed hash, so the hot path
  // does not pay argon2 on every payment; a PIN change or a wrong PIN forgets it.
  const pinSecret = randomBytes(32);
  const verifiedPins = new Map<number, string>();
  const inFlight = new Map<string, Promise<Response>>();
  const dailyOutgoing = new Map<string, number>();
  const packets = new Map<number, PacketState>();
  const directConversations = new Map<string, number>();
  let assetCodes: Set<string> | undefined;

  // Assets and amounts -------------------------------------------------------------------------------
  async function requireAsset(code: string): Promise<string> {
    if (!assetCodes) assetCodes = new Set((await db.selectFrom('assets').select('code').where('member_held', '=', 1).execute()).map((r) => r.code));
    if (!assetCodes.has(code)) fail('WALLET_UNKNOWN_ASSET');
    return code;
  }

  function parseAmount(value: string | number, max = settings.paymentMaxMinor): number {
    const amount = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > max) fail('WALLET_INVALID_AMOUNT');
    return amount;
  }

  // Idempotency --------------------------------------------------------------------------------------
  async function storedResponse(accountId: number, key: string, hashValue: string): Promise<Response | undefined> {
    const row = await db.selectFrom('idempotency_keys').selectAll().where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    if (row.request_hash !== hashValue) fail('IDEMPOTENCY_KEY_REUSED');
    return { statusCode: row.status_code, body: JSON.parse(row.response) };
  }

  /**
   * Runs a money-moving request at most once per (member, key): a retry gets the first response,
   * also while the first is still running (in memory here, the unique key across nodes).
   */
  async function idempotent(
    accountId: number,
    key: string | undefined,
    required: boolean,
    route: string,
    body: Record<string, unknown>,
    run: (record: { key: string; requestHash: string } | undefined, ticket: { done(): void }) => Promise<Response>,
    announce = true,
  ): Promise<Response> {
    if (key === undefined || key === '') {
      if (required) fail('WALLET_IDEMPOTENCY_KEY_REQUIRED');
      const ticket = announce ? writer.announce() : { done() {} };
      try {
        return await run(undefined, ticket);
      } finally {
        ticket.done();
      }
    }
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) fail('VALIDATION_FAILED', 'Idempotency-Key must be 1–100 visible ASCII characters.');
    const hashValue = requestHash(route, body);
    const mapKey = `${accountId}:${key}`;
    for (let waited = 0; waited < 1000; waited += 1) {
      const running = inFlight.get(mapKey);
      if (!running) break;
      await running.catch(() => {});
    }
    const attempt = (async () => {
      const ticket = announce ? writer.announce() : { done() {} };
      try {
        const prior = await storedResponse(accountId, key, hashValue);
        if (prior) return prior;
        return await run({ key, requestHash: hashValue }, ticket);
      } catch (error) {
        if (!(error instanceof IdempotencyConflict)) throw error;
        const stored = await storedResponse(accountId, key, hashValue);
        invariant(stored, 'a conflicting idempotency key is stored');
        return stored;
      } finally {
        ticket.done();
      }
    })();
    inFlight.set(mapKey, attempt);
    try {
      return await attempt;
    } finally {
      if (inFlight.get(mapKey) === attempt) inFlight.delete(mapKey);
    }
  }

  function idempotencyRecord(accountId: number, record: { key: string; requestHash: string } | undefined, respond: (result: LedgerResult) => Response) {
    return record ? { accountId, key: record.key, requestHash: record.requestHash, respond } : undefined;
  }

  async function submit(
    command: Parameters<LedgerWriter['submit']>[0],
    respond: (result: LedgerResult) => Response,
    ticket?: { done(): void },
  ): Promise<Response> {
    const result = await writer.submit(command, ticket);
    return result.response ?? respond(result);
  }

  // Payment PIN --------------------------------------------------------------------------------------
  function pinFingerprint(accountId: number, pin: string): string {
    return createHmac('sha256', pinSecret).update(`${accountId}:${pin}`).digest('base64url');
  }

  async function loadProfile(accountId: number) {
    return db.selectFrom('wallet_profiles').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  }

  async function ensureProfile(accountId: number): Promise<void> {
    await db
      .insertInto('wallet_profiles')
      .values({
        account_id: accountId,
        pin_hash: null,
        pin_failures: 0,
        pin_locked_until: 0,
        real_name: null,
        id_number_masked: null,
        gold_activated_at: null,
        created_at: clock(),
      })
      .onConflict((oc) => oc.column('account_id').doNothing())
      .execute();
  }

  async function verifyPin(accountId: number, pin: string): Promise<void> {
    if (verifiedPins.get(accountId) === pinFingerprint(accountId, pin)) return;
    const profile = await loadProfile(accountId);
    if (!profile?.pin_hash) fail('WALLET_PIN_REQUIRED');
    const now = clock();
    if (profile.pin_locked_until > now) fail('WALLET_PIN_LOCKED');
    if (await verify(profile.pin_hash, pin)) {
      if (profile.pin_failures > 0) await db.updateTable('wallet_profiles').set({ pin_failures: 0 }).where('account_id', '=', accountId).execute();
      if (verifiedPins.size > 100_000) verifiedPins.clear();
      verifiedPins.set(accountId, pinFingerprint(accountId, pin));
      return;
    }
    verifiedPins.delete(accountId);
    const failures = profile.pin_failures + 1;
    const locked = failures >= settings.pinFailuresMax;
    await db
      .updateTable('wallet_profiles')
      .set({ pin_failures: locked ? 0 : failures, pin_locked_until: locked ? now + settings.pinLockMs : profile.pin_locked_until })
      .where('account_id', '=', accountId)
      .execute();
    fail(locked ? 'WALLET_PIN_LOCKED' : 'WALLET_PIN_WRONG', undefined, { attemptsLeft: locked ? 0 : settings.pinFailuresMax - failures });
  }

  async function setPin(accountId: number, input: SetPinBody) {
    await ensureProfile(accountId);
    const profile = await loadProfile(accountId);
    if (profile?.pin_hash) {
      if (!input.currentPin) fail('WALLET_PIN_WRONG', 'Give your current PIN to change it.');
      await verifyPin(accountId, input.currentPin);
    }
    if (/^(\d)\1{5}$/.test(input.pin) || '0123456789'.includes(input.pin) || '9876543210'.includes(input.pin)) {
      fail('VALIDATION_FAILED', 'Choose a PIN that is not a run or a repeated digit.');
    }
    await db
      .updateTable('wallet_profiles')
      .set({ pin_hash: await hash(input.pin, hashOptions), pin_failures: 0, pin_locked_until: 0 })
      .where('account_id', '=', accountId)
      .execute();
    verifiedPins.delete(accountId);
    return { pinSet: true };
  }

  // Daily limits (kept per node in memory, seeded from the ledger on first use each day) ----------
  async function dailyUsed(accountId: number): Promise<{ mapKey: string; used: number }> {
    const day = Math.floor(clock() / DAY_MS);
    const mapKey = `${accountId}:${day}`;
    if (!dailyOutgoing.has(mapKey)) {
      const wallet = await directory.resolve(accountId, 'wallet', 'CNY');
      const row = await db
        .selectFrom('ledger_transfers')
        .select((eb) => eb.fn.sum<string | number>('amount').as('total'))
        .where('debit_account_id', '=', wallet.id)
        .where('status', '!=', 'voided')
        .where('created_at', '>=', day * DAY_MS)
        .executeTakeFirst();
      if (dailyOutgoing.size > 200_000) dailyOutgoing.clear();
      if (!dailyOutgoing.has(mapKey)) dailyOutgoing.set(mapKey, Number(row?.total ?? 0));
    }
    return { mapKey, used: dailyOutgoing.get(mapKey) ?? 0 };
  }

  async function reserveDaily(accountId: number, asset: string, amount: number): Promise<() => void> {
    if (asset !== 'CNY') return () => {};
    const { mapKey, used } = await dailyUsed(accountId);
    if (used + amount > settings.dailyOutgoingMaxMinor) fail('WALLET_DAILY_LIMIT');
    dailyOutgoing.set(mapKey, used + amount);
    return () => dailyOutgoing.set(mapKey, Math.max(0, (dailyOutgoing.get(mapKey) ?? 0) - amount));
  }

  async function withDailyReservation<T>(accountId: number, asset: string, amount: number, fn: () => Promise<T>): Promise<T> {
    const release = await reserveDaily(accountId, asset, amount);
    try {
      return await fn();
    } catch (error) {
      release();
      throw error;
    }
  }

  // Wallet and cards ---------------------------------------------------------------------------------
  async function getWallet(accountId: number) {
    const assets = await db.selectFrom('assets').select(['code', 'scale', 'minor_unit']).where('member_held', '=', 1).orderBy('code').execute();
    const rows = await db.selectFrom('ledger_accounts').selectAll().where('owner_account_id', '=', accountId).where('kind', '=', 'wallet').execute();
    const byAsset = new Map(rows.map((r) => [r.asset, r]));
    const profile = await loadProfile(accountId);
    return {
      balances: assets.map((a) => {
        const row = byAsset.get(a.code);
        return {
          asset: a.code,
          scale: a.scale,
          minorUnit: a.minor_unit,
          availableMinor: present(row ? row.balance - row.held : 0),
          heldMinor: present(row?.held ?? 0),
        };
      }),
      pinSet: Boolean(profile?.pin_hash),
      goldActivated: profile?.gold_activated_at != null,
      // What the client needs to show fees and limits before the member confirms with the PIN.
      limits: {
        paymentMaxMinor: present(settings.paymentMaxMinor),
        dailyOutgoingMaxMinor: present(settings.dailyOutgoingMaxMinor),
        dailyOutgoingLeftMinor: present(Math.max(0, settings.dailyOutgoingMaxMinor - (await dailyUsed(accountId)).used)),
        withdrawalFeeBasisPoints: settings.withdrawalFeeBasisPoints,
        withdrawalFeeMinMinor: present(settings.withdrawalFeeMinMinor),
        redPacketTotalMaxMinor: present(settings.redPacketTotalMaxMinor),
        redPacketCountMax: settings.redPacketCountMax,
      },
    };
  }

  function presentCard(row: { id: number; last4: string; brand: string; holder_name: string; created_at: number }) {
    return { id: idString(row.id), last4: row.last4, brand: row.brand, holderName: row.holder_name, createdAt: toIso(row.created_at) };
  }

  async function bindCard(accountId: number, input: BindCardBody) {
    const number = input.number.replace(/ /g, '');
    if (!luhnValid(number)) fail('WALLET_CARD_INVALID');
    const fingerprint = createHash('sha256').update(`plaza-card:${number}`).digest('hex');
    const existing = await db
      .selectFrom('bank_cards')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('fingerprint', '=', fingerprint)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (existing) return presentCard(existing);
    const count = await db
      .selectFrom('bank_cards')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('account_id', '=', accountId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (Number(count?.n ?? 0) >= settings.bankCardsMax) fail('VALIDATION_FAILED', `At most ${settings.bankCardsMax} cards.`);
    const bound = await bank.bindCard({ number, holderName: input.holderName });
    if (!bound.ok) fail(bound.reason === 'declined' ? 'WALLET_BANK_DECLINED' : 'WALLET_BANK_UNAVAILABLE', bound.message);
    const row = await db
      .insertInto('bank_cards')
      .values({
        account_id: accountId,
        last4: number.slice(-4),
        brand: bound.brand,
        holder_name: input.holderName.trim(),
        fingerprint,
        bank_token: bound.token,
        created_at: clock(),
        removed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return presentCard(row);
  }

  async function listCards(accountId: number) {
    const rows = await db.selectFrom('bank_cards').selectAll().where('account_id', '=', accountId).where('removed_at', 'is', null).orderBy('id').execute();
    return rows.map(presentCard);
  }

  async function removeCard(accountId: number, cardId: number) {
    const result = await db
      .updateTable('bank_cards')
      .set({ removed_at: clock() })
      .where('id', '=', cardId)
      .where('account_id', '=', accountId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) fail('WALLET_CARD_NOT_FOUND');
  }

  async function requireCard(accountId: number, rawCardId: string | number) {
    const card = await db
      .selectFrom('bank_cards')
      .selectAll()
      .where('id', '=', parseId(rawCardId, 'cardId'))
      .where('account_id', '=', accountId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (!card) fail('WALLET_CARD_NOT_FOUND');
    return card;
  }

  function bankFailure(result: { reason: 'declined' | 'unavailable'; message: string }): never {
    fail(result.reason === 'declined' ? 'WALLET_BANK_DECLINED' : 'WALLET_BANK_UNAVAILABLE', result.message);
  }

  async function topUp(accountId: number, input: FundingBody, key: string | undefined): Promise<Response> {
    return idempotent(
      accountId,
      key,
      true,
      'top-up',
      input,
      async (record) => {
        invariant(record, 'top-ups always carry a key');
        await verifyPin(accountId, input.pin);
        const asset = await requireAsset(input.asset);
        if (asset !== 'CNY') fail('WALLET_UNKNOWN_ASSET', 'Cards move CNY only.');
        const amount = parseAmount(input.amountMinor);
        const card = await requireCard(accountId, input.cardId);
        const charged = await bank.charge({ token: card.bank_token, amountMinor: amount, asset, reference: `top-up:${accountId}:${record.key}` });
        if (!charged.ok) bankFailure(charged);
        const settlement = await directory.resolve(OPERATOR_OWNER_ID, 'bank_settlement', asset);
        const wallet = await directory.resolve(accountId, 'wallet', asset);
        const respond = (r: LedgerResult): Response => ({
          statusCode: 201,
          body: { topUp: { ...presentTransfer(r.transfers[0] as TransferRow), cardId: idString(card.id), bankReference: charged.bankReference } },
        });
        return submit(
          {
            transfers: [
              {
                debit: settlement,
                credit: wallet,
                asset,
                amount,
                kind: 'top_up',
                status: 'posted',
                reference: `card:${card.id}`,
                note: `Top-up from card ${card.last4}`,
              },
            ],
            idempotency: idempotencyRecord(accountId, record, respond),
          },
          respond,
        );
      },
      false,
    );
  }

  function withdrawalFee(amount: number): number {
    return Math.max(settings.withdrawalFeeMinMinor, Math.floor((amount * settings.withdrawalFeeBasisPoints) / 10_000));
  }

  /**
   * A withdrawal holds the amount and fee (pending transfers), asks the bank to pay out, then posts
   * both or voids both. TODO(wallet): a crash between the bank payout and the post leaves the hold
   * pending; reconcile such holds against the bank's reference on start-up.
   */
  async function withdraw(accountId: number, input: FundingBody, key: string | undefined): Promise<Response> {
    return idempotent(
      accountId,
      key,
      true,
      'withdrawal',
      input,
      async (record) => {
        invariant(record, 'withdrawals always carry a key');
        await verifyPin(accountId, input.pin);
        const asset = await requireAsset(input.asset);
        if (asset !== 'CNY') fail('WALLET_UNKNOWN_ASSET', 'Cards move CNY only.');
        const amount = parseAmount(input.amountMinor);
        const fee = withdrawalFee(amount);
        const card = await requireCard(accountId, input.cardId);
        const wallet = await directory.resolve(accountId, 'wallet', asset);
        const settlement = await directory.resolve(OPERATOR_OWNER_ID, 'bank_settlement', asset);
        const fees = await directory.resolve(OPERATOR_OWNER_ID, 'fees', asset);
        return withDailyReservation(accountId, asset, amount + fee, async () => {
          const held = await writer.submit({
            transfers: [
              {
                debit: wallet,
                credit: settlement,
                asset,
                amount,
                kind: 'withdrawal',
                status: 'pending',
                reference: `card:${card.id}`,
                note: `Withdrawal to card ${card.last4}`,
              },
              {
                debit: wallet,
                credit: fees,
                asset,
                amount: fee,
                kind: 'withdrawal_fee',
                status: 'pending',
                reference: `card:${card.id}`,
                note: 'Withdrawal fee',
              },
            ],
          });
          const ids = held.transfers.map((t) => t.id);
          const paid = await bank.payout({ token: card.bank_token, amountMinor: amount, asset, reference: `withdrawal:${accountId}:${record.key}` });
          if (!paid.ok) {
            await writer.submit({ resolutions: ids.map((transferId) => ({ transferId, to: 'voided' as const })) });
            bankFailure(paid);
          }
          const respond = (r: LedgerResult): Response => {
            const [main, feeRow] = r.resolved;
            invariant(main && feeRow, 'a withdrawal resolves its amount and fee');
            return { statusCode: 201, body: { withdrawal: { ...presentTransfer(main), feeMinor: present(feeRow.amount), cardId: idString(card.id) } } };
          };
          return submit(
            { resolutions: ids.map((transferId) => ({ transferId, to: 'posted' as const })), idempotency: idempotencyRecord(accountId, record, respond) },
            respond,
          );
        });
      },
      false,
    );
  }

  // Transfers to friends -----------------------------------------------------------------------------
  async function directConversation(a: number, b: number): Promise<number> {
    const pairKey = `${Math.min(a, b)}:${Math.max(a, b)}`;
    const cached = directConversations.get(pairKey);
    if (cached !== undefined) return cached;
    await accounts.getAccount(b);
    const { conversation } = await chat.createDirect(a, b);
    const id = parseId(conversation.id);
    if (directConversations.size > 200_000) directConversations.clear();
    directConversations.set(pairKey, id);
    return id;
  }

  // Whether a member may pay into a chat (member, friends, not blocked) is remembered for a few
  // seconds per pair: the hot path skips five reads, and a removed friend stops being payable
  // within canPayTtlMs.
  const canPay = new Map<string, number>();
  async function requireCanPay(senderId: number, conversationId: number): Promise<void> {
    const cacheKey = `${senderId}:${conversationId}`;
    const until = canPay.get(cacheKey);
    if (until !== undefined && until > Date.now()) return;
    await chat.requireCanSend(senderId, conversationId);
    if (canPay.size > 200_000) canPay.clear();
    canPay.set(cacheKey, Date.now() + settings.canPayTtlMs);
  }

  // Cards go into the chat after the money has committed, from a small background queue: the
  // payer's answer does not wait for the chat's own write, and a card that fails never undoes money.
  const cardQueue: { senderId: number; conversationId: number; card: { type: string; clientMsgId: string; content: Record<string, unknown> } }[] = [];
  const cardIdle: (() => void)[] = [];
  const cardRoom: (() => void)[] = [];
  let cardWorkers = 0;
  const CARD_WORKERS_MAX = 128;
  const CARD_QUEUE_MAX = 5_000;

  async function cardWorker(): Promise<void> {
    cardWorkers += 1;
    for (let next = cardQueue.shift(); next; next = cardQueue.shift()) {
      for (const resolve of cardRoom.splice(0)) resolve();
      try {
        await chat.postCard(next.senderId, next.conversationId, next.card);
      } catch (error) {
        ctx.log.warn({ err: error, conversationId: next.conversationId, card: next.card.clientMsgId }, 'wallet card not posted');
      }
    }
    cardWorkers -= 1;
    if (cardWorkers === 0) for (const resolve of cardIdle.splice(0)) resolve();
  }

  async function postCardSafely(senderId: number, conversationId: number, card: { type: string; clientMsgId: string; content: Record<string, unknown> }) {
    if (!settings.chatCards) return;
    // Bounded: under a flood the payer waits for room rather than the queue growing without end.
    while (cardQueue.length >= CARD_QUEUE_MAX) await new Promise<void>((resolve) => cardRoom.push(resolve));
    cardQueue.push({ senderId, conversationId, card });
    if (cardWorkers < CARD_WORKERS_MAX) void cardWorker();
  }

  /** Resolves when every queued card has been posted (tests, shutdown). */
  function cardsPosted(): Promise<void> {
    if (cardWorkers === 0 && cardQueue.length === 0) return Promise.resolve();
    return new Promise((resolve) => cardIdle.push(resolve));
  }

  async function createTransfer(senderId: number, input: CreateTransferBody, key: string | undefined): Promise<Response> {
    let posted: { transfer: TransferRow; conversationId: number } | undefined;
    const response = await idempotent(senderId, key, true, 'transfer', input, async (record, ticket) => {
      await verifyPin(senderId, input.pin);
      const recipientId = parseId(input.toAccountId, 'toAccountId');
      if (recipientId === senderId) fail('WALLET_SELF_TRANSFER');
      const asset = await requireAsset(input.asset);
      const amount = parseAmount(input.amountMinor);
      const conversationId = await directConversation(senderId, recipientId);
      await requireCanPay(senderId, conversationId);
      const from = await directory.resolve(senderId, 'wallet', asset);
      const to = await directory.resolve(recipientId, 'wallet', asset);
      const respond = (r: LedgerResult): Response => ({ statusCode: 201, body: { transfer: presentTransfer(r.transfers[0] as TransferRow) } });
      return withDailyReservation(senderId, asset, amount, async () => {
        const result = await writer.submit(
          {
            transfers: [
              {
                debit: from,
                credit: to,
                asset,
                amount,
                kind: 'p2p',
                status: 'pending',
                note: input.note ?? '',
                expiresAt: clock() + settings.transferExpiryMs,
              },
            ],
            idempotency: idempotencyRecord(senderId, record, respond),
          },
          ticket,
        );
        posted = { transfer: result.transfers[0] as TransferRow, conversationId };
        return result.response ?? respond(result);
      });
    });
    if (posted) {
      const t = posted.transfer;
      await postCardSafely(senderId, posted.conversationId, {
        type: 'transfer',
        clientMsgId: `transfer:${t.id}`,
        content: {
          transferId: idString(t.id),
          asset: t.asset,
          amountMinor: present(t.amount),
          note: t.note,
          toAccountId: idString(t.credit_owner_id),
          status: 'pending',
        },
      });
    }
    return response;
  }

  async function loadTransfer(viewerId: number, transferId: number): Promise<TransferRow> {
    const row = await db.selectFrom('ledger_transfers').selectAll().where('id', '=', transferId).executeTakeFirst();
    if (row?.kind !== 'p2p' || (row.debit_owner_id !== viewerId && row.credit_owner_id !== viewerId)) fail('WALLET_TRANSFER_NOT_FOUND');
    return row;
  }

  async function getTransfer(viewerId: number, transferId: number) {
    return presentTransfer(await loadTransfer(viewerId, transferId));
  }

  async function resolveTransfer(viewerId: number, transferId: number, to: 'posted' | 'voided', key: string | undefined): Promise<Response> {
    let resolved: TransferRow | undefined;
    const response = await idempotent(viewerId, key, false, `transfer-${to}:${transferId}`, {}, async (record, ticket) => {
      const row = await loadTransfer(viewerId, transferId);
      if (row.credit_owner_id !== viewerId) fail('AUTH_FORBIDDEN', 'Only the recipient may accept or return a transfer.');
      if (row.status !== 'pending') fail('WALLET_TRANSFER_CLOSED');
      if (row.expires_at !== null && row.expires_at <= clock()) {
        await writer.submit({ resolutions: [{ transferId, to: 'voided' }] }).catch(() => {});
        fail('WALLET_TRANSFER_CLOSED', 'This transfer expired and went back to the sender.');
      }
      const respond = (r: LedgerResult): Response => ({ statusCode: 200, body: { transfer: presentTransfer(r.resolved[0] as TransferRow) } });
      const result = await writer.submit({ resolutions: [{ transferId, to }], idempotency: idempotencyRecord(viewerId, record, respond) }, ticket);
      resolved = result.resolved[0];
      return result.response ?? respond(result);
    });
    if (resolved) {
      const conversationId = await directConversation(resolved.debit_owner_id, resolved.credit_owner_id).catch(() => undefined);
      if (conversationId !== undefined) {
        await postCardSafely(viewerId, conversationId, {
          type: 'transfer',
          clientMsgId: `transfer:${resolved.id}:${to}`,
          content: {
            transferId: idString(resolved.id),
            asset: resolved.asset,
            amountMinor: present(resolved.amount),
            note: resolved.note,
            toAccountId: idString(resolved.credit_owner_id),
            status: to,
          },
        });
      }
    }
    return response;
  }

  // Red packets --------------------------------------------------------------------------------------
  writer.registerExtension('red_packet.create', {
    async apply(trx: WalletTrx, items: { payload: Omit<RedPacketRow, 'id' | 'fund_transfer_id'>; transfers: TransferRow[] }[]) {
      const rows = [];
      for (const item of items) {
        const fund = item.transfers[0];
        invariant(fund, 'a red packet is funded by a transfer');
        rows.push(
          await trx
            .insertInto('red_packets')
            .values({ ...item.payload, fund_transfer_id: fund.id })
            .returningAll()
            .executeTakeFirstOrThrow(),
        );
      }
      return rows;
    },
  });

  writer.registerExtension('red_packet.claim', {
    async apply(trx: WalletTrx, items: { payload: { packetId: number; accountId: number; amount: number }; transfers: TransferRow[] }[]) {
      const now = clock();
      const values = items.map(({ payload, transfers }) => ({
        packet_id: payload.packetId,
        account_id: payload.accountId,
        amount_minor: payload.amount,
        transfer_id: (transfers[0] as TransferRow).id,
        created_at: now,
      }));
      try {
        await trx.insertInto('red_packet_claims').values(values).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('RED_PACKET_ALREADY_CLAIMED');
        throw error;
      }
      const byPacket = new Map<number, { n: number; sum: number }>();
      for (const { payload } of items) {
        const entry = byPacket.get(payload.packetId) ?? { n: 0, sum: 0 };
        entry.n += 1;
        entry.sum += payload.amount;
        byPacket.set(payload.packetId, entry);
      }
      for (const [packetId, { n, sum }] of byPacket) {
        // Never more shares than are left, each remaining share keeps ≥ 1, the last takes exactly the rest.
        const updated = await trx
          .updateTable('red_packets')
          .set({
            remaining_count: sql`remaining_count - ${n}`,
            remaining_minor: sql`remaining_minor - ${sum}`,
            status: sql`CASE WHEN remaining_count = ${n} THEN 'finished' ELSE status END`,
          })
          .where('id', '=', packetId)
          .where('status', '=', 'active')
          .where('remaining_count', '>=', n)
          .where(sql<boolean>`remaining_minor - ${sum} >= remaining_count - ${n}`)
          .where(sql<boolean>`(remaining_count > ${n} OR remaining_minor = ${sum})`)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw new AppError('RED_PACKET_EMPTY');
      }
      return items.map(() => undefined);
    },
  });

  writer.registerExtension('red_packet.refund', {
    async apply(trx: WalletTrx, items: { payload: { packetId: number; expectedRemainingMinor: number } }[]) {
      for (const { payload } of items) {
        const updated = await trx
          .updateTable('red_packets')
          .set({ status: 'refunded', remaining_minor: 0, remaining_count: 0 })
          .where('id', '=', payload.packetId)
          .where('status', '=', 'active')
          .where('remaining_minor', '=', payload.expectedRemainingMinor)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw new AppError('RED_PACKET_EXPIRED', 'The packet changed while being refunded.');
      }
      return items.map(() => undefined);
    },
  });

  async function createRedPacket(senderId: number, input: CreateRedPacketBody, key: string | undefined): Promise<Response> {
    let created: RedPacketRow | undefined;
    const response = await idempotent(senderId, key, true, 'red-packet', input, async (record, ticket) => {
      await verifyPin(senderId, input.pin);
      const conversationId = parseId(input.conversationId, 'conversationId');
      await chat.requireCanSend(senderId, conversationId);
      const info = await chat.conversationInfo(conversationId);
      const asset = await requireAsset(input.asset);
      const total = parseAmount(input.totalMinor, settings.redPacketTotalMaxMinor);
      const count = input.count;
      let exclusiveTo: number | null = null;
      if (info.kind === 'direct') {
        if (count !== 1 || input.mode === 'exclusive') fail('RED_PACKET_INVALID', 'A red packet to a friend has exactly one share.');
      } else {
        if (count > Math.min(settings.redPacketCountMax, info.memberCount)) fail('RED_PACKET_INVALID', 'More shares than the limit or the group size.');
        if (input.mode === 'exclusive') {
          if (count !== 1 || input.exclusiveTo === undefined) fail('RED_PACKET_INVALID', 'An exclusive packet has one share and names its member.');
          exclusiveTo = parseId(input.exclusiveTo, 'exclusiveTo');
          if (exclusiveTo === senderId || !(await chat.isMember(conversationId, exclusiveTo)))
            fail('RED_PACKET_INVALID', 'The named member is not in this group.');
        }
      }
      if (total < count) fail('RED_PACKET_INVALID', 'Every share needs at least one minor unit.');
      const wallet = await directory.resolve(senderId, 'wallet', asset);
      const escrow = await directory.resolve(senderId, 'red_packet_escrow', asset);
      const now = clock();
      const payload: Omit<RedPacketRow, 'id' | 'fund_transfer_id'> = {
        sender_id: senderId,
        conversation_id: conversationId,
        mode: input.mode,
        asset,
        total_minor: total,
        count,
        remaining_minor: total,
        remaining_count: count,
        greeting: input.greeting ?? '',
        exclusive_to: exclusiveTo,
        escrow_account_id: escrow.id,
        status: 'active',
        expires_at: now + settings.redPacketExpiryMs,
        created_at: now,
      };
      const respond = (r: LedgerResult): Response => ({ statusCode: 201, body: { redPacket: presentPacket(r.extension as RedPacketRow) } });
      return withDailyReservation(senderId, asset, total, async () => {
        const result = await writer.submit(
          {
            transfers: [{ debit: wallet, credit: escrow, asset, amount: total, kind: 'red_packet', status: 'posted', note: input.greeting ?? '' }],
            extension: { name: 'red_packet.create', payload },
            idempotency: idempotencyRecord(senderId, record, respond),
          },
          ticket,
        );
        created = result.extension as RedPacketRow;
        return result.response ?? respond(result);
      });
    });
    if (created) {
      const p = created;
      await postCardSafely(senderId, p.conversation_id, {
        type: 'red_packet',
        clientMsgId: `red_packet:${p.id}`,
        content: {
          redPacketId: idString(p.id),
          asset: p.asset,
          mode: p.mode,
          count: p.count,
          greeting: p.greeting,
          ...(p.asset === 'XAU' ? { totalMinor: present(p.total_minor) } : {}),
          exclusiveTo: p.exclusive_to === null ? null : idString(p.exclusive_to),
        },
      });
    }
    return response;
  }

  function presentPacket(row: RedPacketRow) {
    return {
      id: idString(row.id),
      senderId: idString(row.sender_id),
      conversationId: idString(row.conversation_id),
      mode: row.mode,
      asset: row.asset,
      totalMinor: present(row.total_minor),
      count: row.count,
      remainingCount: row.remaining_count,
      remainingMinor: present(row.remaining_minor),
      greeting: row.greeting,
      exclusiveTo: row.exclusive_to === null ? null : idString(row.exclusive_to),
      status: row.status,
      createdAt: toIso(row.created_at),
      expiresAt: toIso(row.expires_at),
    };
  }

  async function loadPacket(packetId: number): Promise<PacketState> {
    const cached = packets.get(packetId);
    if (cached) return cached;
    const row = await db.selectFrom('red_packets').selectAll().where('id', '=', packetId).executeTakeFirst();
    if (!row) fail('RED_PACKET_NOT_FOUND');
    const claims = await db.selectFrom('red_packet_claims').select('account_id').where('packet_id', '=', packetId).execute();
    const again = packets.get(packetId);
    if (again) return again;
    const state = { row, remainingMinor: row.remaining_minor, remainingCount: row.remaining_count, claimed: new Set(claims.map((c) => c.account_id)) };
    if (packets.size > 20_000) {
      for (const [id, s] of packets) if (s.remainingCount === 0 || s.row.status !== 'active') packets.delete(id);
      if (packets.size > 20_000) packets.clear();
    }
    packets.set(packetId, state);
    return state;
  }

  async function claimRedPacket(viewerId: number, packetId: number, key: string | undefined): Promise<Response> {
    return idempotent(viewerId, key, false, `red-packet-claim:${packetId}`, {}, async (record, ticket) => {
      // A second attempt only when the database refused a share this node's memory allowed
      // (another node claimed in between): the packet is read afresh and the share drawn again.
      for (let attempt = 1; ; attempt += 1) {
        const state = await loadPacket(packetId);
        const { row } = state;
        if (!(await chat.isMember(row.conversation_id, viewerId))) fail('CHAT_NOT_A_MEMBER');
        if (row.exclusive_to !== null && row.exclusive_to !== viewerId) fail('RED_PACKET_NOT_FOR_YOU');
        if (row.sender_id === viewerId && (await chat.conversationInfo(row.conversation_id)).kind === 'direct') fail('RED_PACKET_NOT_FOR_YOU');
        const wallet = await directory.resolve(viewerId, 'wallet', row.asset);
        // The critical section: synchronous, in memory, a few microseconds; the durable write is batched behind it.
        if (state.claimed.has(viewerId)) fail('RED_PACKET_ALREADY_CLAIMED');
        if (row.status === 'refunded' || row.expires_at <= clock()) fail('RED_PACKET_EXPIRED');
        if (state.remainingCount === 0) fail('RED_PACKET_EMPTY');
        const amount = drawShare(row.mode, state.remainingMinor, state.remainingCount);
        state.remainingMinor -= amount;
        state.remainingCount -= 1;
        state.claimed.add(viewerId);
        const respond = (r: LedgerResult): Response => ({
          statusCode: 200,
          body: {
            claim: {
              redPacketId: idString(packetId),
              asset: row.asset,
              amountMinor: present(amount),
              transferId: idString((r.transfers[0] as TransferRow).id),
            },
          },
        });
        try {
          return await submit(
            {
              transfers: [
                {
                  debit: { id: row.escrow_account_id, ownerId: row.sender_id },
                  credit: wallet,
                  asset: row.asset,
                  amount,
                  kind: 'red_packet_claim',
                  status: 'posted',
                  reference: `rp:${packetId}`,
                  note: row.greeting,
                },
              ],
              extension: { name: 'red_packet.claim', payload: { packetId, accountId: viewerId, amount } },
              idempotency: idempotencyRecord(viewerId, record, respond),
            },
            respond,
            ticket,
          );
        } catch (error) {
          // Memory and database disagree (another node, or a failed write): read the packet afresh next time.
          if (packets.get(packetId) === state) packets.delete(packetId);
          if (attempt === 1 && error instanceof AppError && error.code === 'RED_PACKET_EMPTY') continue;
          throw error;
        }
      }
    });
  }

  async function getRedPacket(viewerId: number, packetId: number) {
    const row = await db.selectFrom('red_packets').selectAll().where('id', '=', packetId).executeTakeFirst();
    if (!row) fail('RED_PACKET_NOT_FOUND');
    if (row.sender_id !== viewerId && !(await chat.isMember(row.conversation_id, viewerId))) fail('CHAT_NOT_A_MEMBER');
    const claims = await db
      .selectFrom('red_packet_claims')
      .selectAll()
      .where('packet_id', '=', packetId)
      .orderBy('created_at')
      .orderBy('transfer_id')
      .execute();
    const people = await accounts.getAccounts([row.sender_id, ...claims.map((c) => c.account_id)]);
    let luckiest: number | undefined;
    if (row.mode === 'random' && row.status === 'finished' && claims.length > 1) {
      luckiest = claims.reduce((best, c) => (c.amount_minor > best.amount_minor ? c : best)).account_id;
    }
    const mine = claims.find((c) => c.account_id === viewerId);
    // Gold packets are sent by weight; what that weight is worth follows today's price, rounded down to the fen.
    const pricePerGram = row.asset === 'XAU' ? await goldPrice.pricePerGram(clock()) : undefined;
    const worth = (weightMg: number) => (pricePerGram === undefined ? null : present(Math.floor((weightMg * pricePerGram) / 1000)));
    return {
      ...presentPacket(row),
      sender: { id: idString(row.sender_id), displayName: people.get(row.sender_id)?.display_name ?? '' },
      worthMinor: worth(row.total_minor),
      myClaim: mine ? { amountMinor: present(mine.amount_minor), worthMinor: worth(mine.amount_minor), createdAt: toIso(mine.created_at) } : null,
      luckiestAccountId: luckiest === undefined ? null : idString(luckiest),
      claims: claims.map((c) => ({
        account: { id: idString(c.account_id), displayName: people.get(c.account_id)?.display_name ?? '' },
        amountMinor: present(c.amount_minor),
        createdAt: toIso(c.created_at),
        luckiest: c.account_id === luckiest,
      })),
    };
  }

  // Expiry: transfers go back, red packet remainders are refunded; also for what expired while down.
  async function sweep(limit = 500): Promise<{ transfersReturned: number; packetsRefunded: number }> {
    const now = clock();
    let transfersReturned = 0;
    let packetsRefunded = 0;
    const due = await db
      .selectFrom('ledger_transfers')
      .select('id')
      .where('status', '=', 'pending')
      .where('kind', '=', 'p2p')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    const voids = await Promise.allSettled(due.map((t) => writer.submit({ resolutions: [{ transferId: t.id, to: 'voided' }] })));
    transfersReturned += voids.filter((v) => v.status === 'fulfilled').length;
    const expired = await db
      .selectFrom('red_packets')
      .selectAll()
      .where('status', '=', 'active')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    const refunds = await Promise.allSettled(
      expired.map(async (p) => {
        const wallet = await directory.resolve(p.sender_id, 'wallet', p.asset);
        packets.delete(p.id);
        invariant(p.remaining_minor > 0, 'an active packet has something left');
        await writer.submit({
          transfers: [
            {
              debit: { id: p.escrow_account_id, ownerId: p.sender_id },
              credit: wallet,
              asset: p.asset,
              amount: p.remaining_minor,
              kind: 'red_packet_refund',
              status: 'posted',
              reference: `rp:${p.id}`,
              note: p.greeting,
            },
          ],
          extension: { name: 'red_packet.refund', payload: { packetId: p.id, expectedRemainingMinor: p.remaining_minor } },
        });
      }),
    );
    packetsRefunded += refunds.filter((r) => r.status === 'fulfilled').length;
    return { transfersReturned, packetsRefunded };
  }

  // Gold ---------------------------------------------------------------------------------------------
  async function activateGold(accountId: number, input: GoldActivationBody) {
    if (!input.acceptTerms) fail('WALLET_TERMS_REQUIRED');
    const idNumber = input.idNumber.toUpperCase();
    if (!validPrcIdNumber(idNumber)) fail('WALLET_ID_NUMBER_INVALID');
    await ensureProfile(accountId);
    await db
      .updateTable('wallet_profiles')
      .set({ real_name: input.realName.trim(), id_number_masked: maskIdNumber(idNumber), gold_activated_at: clock() })
      .where('account_id', '=', accountId)
      .execute();
    return { activated: true, realName: input.realName.trim(), idNumberMasked: maskIdNumber(idNumber) };
  }

  async function getGold(accountId: number, days = 30) {
    const now = clock();
    const price = await goldPrice.pricePerGram(now);
    const holding = await db
      .selectFrom('ledger_accounts')
      .select(['balance', 'held'])
      .where('owner_account_id', '=', accountId)
      .where('kind', '=', 'wallet')
      .where('asset', '=', 'XAU')
      .executeTakeFirst();
    const weight = holding ? holding.balance - holding.held : 0;
    const profile = await loadProfile(accountId);
    return {
      pricePerGramMinor: present(price),
      holdingMg: present(weight),
      worthMinor: present(Math.floor((weight * price) / 1000)),
      activated: profile?.gold_activated_at != null,
      history: (await goldPrice.history(now, Math.min(Math.max(days, 1), 365))).map((p) => ({ day: p.day, pricePerGramMinor: present(p.pricePerGramMinor) })),
    };
  }

  async function tradeGold(accountId: number, side: 'buy' | 'sell', input: GoldTradeBody, key: string | undefined): Promise<Response> {
    return idempotent(accountId, key, true, `gold-${side}`, input, async (record, ticket) => {
      const profile = await loadProfile(accountId);
      if (profile?.gold_activated_at == null) fail('WALLET_GOLD_NOT_ACTIVATED');
      await verifyPin(accountId, input.pin);
      const weight = parseAmount(input.weightMg);
      const price = await goldPrice.pricePerGram(clock());
      // The member never gets the rounding: buying rounds the cost up, selling rounds the proceeds down.
      const cash = side === 'buy' ? Math.ceil((weight * price) / 1000) : Math.floor((weight * price) / 1000);
      if (cash < 1) fail('WALLET_INVALID_AMOUNT', 'Trade at least enough gold to be worth 0.01.');
      const memberCash = await directory.resolve(accountId, 'wallet', 'CNY');
      const memberGold = await directory.resolve(accountId, 'wallet', 'XAU');
      const deskCash = await directory.resolve(OPERATOR_OWNER_ID, 'gold_desk', 'CNY');
      const deskGold = await directory.resolve(OPERATOR_OWNER_ID, 'gold_desk', 'XAU');
      const transfers: NewTransfer[] =
        side === 'buy'
          ? [
              { debit: memberCash, credit: deskCash, asset: 'CNY', amount: cash, kind: 'gold_buy', status: 'posted', note: `Bought ${weight} mg gold` },
              { debit: deskGold, credit: memberGold, asset: 'XAU', amount: weight, kind: 'gold_buy', status: 'posted', note: `Bought ${weight} mg gold` },
            ]
          : [
              { debit: memberGold, credit: deskGold, asset: 'XAU', amount: weight, kind: 'gold_sell', status: 'posted', note: `Sold ${weight} mg gold` },
              { debit: deskCash, credit: memberCash, asset: 'CNY', amount: cash, kind: 'gold_sell', status: 'posted', note: `Sold ${weight} mg gold` },
            ];
      const respond = (r: LedgerResult): Response => ({
        statusCode: 201,
        body: {
          trade: {
            side,
            weightMg: present(weight),
            amountMinor: present(cash),
            pricePerGramMinor: present(price),
            transferIds: r.transfers.map((t) => idString(t.id)),
          },
        },
      });
      const run = () => submit({ transfers, idempotency: idempotencyRecord(accountId, record, respond) }, respond, ticket);
      return side === 'buy' ? withDailyReservation(accountId, 'CNY', cash, run) : run();
    });
  }

  async function setGoldPrice(actorId: number, rawPricePerGramMinor: string | number) {
    const pricePerGramMinor = Number(rawPricePerGramMinor);
    if (!Number.isSafeInteger(pricePerGramMinor) || pricePerGramMinor < 1) fail('WALLET_INVALID_AMOUNT', 'The gold price must be at least 0.01 per gram.');
    const day = new Date(clock()).toISOString().slice(0, 10);
    await db
      .insertInto('gold_prices')
      .values({ day, price_per_gram_minor: pricePerGramMinor, set_by: actorId, created_at: clock() })
      .onConflict((oc) => oc.column('day').doUpdateSet({ price_per_gram_minor: pricePerGramMinor, set_by: actorId }))
      .execute();
    goldPrice.forget?.();
  }

  // Bill ---------------------------------------------------------------------------------------------
  async function walletAccountIds(accountId: number): Promise<number[]> {
    const rows = await db.selectFrom('ledger_accounts').select('id').where('owner_account_id', '=', accountId).where('kind', '=', 'wallet').execute();
    return rows.map((r) => r.id);
  }

  function monthRange(month: string): [number, number] {
    const [y, m] = month.split('-').map(Number) as [number, number];
    return [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)];
  }

  async function billRows(accountId: number, query: BillQuery, limit: number): Promise<{ rows: TransferRow[]; walletIds: Set<number> }> {
    const ids = await walletAccountIds(accountId);
    if (ids.length === 0) return { rows: [], walletIds: new Set() };
    let q = db.selectFrom('ledger_transfers').selectAll();
    if (query.direction === 'out') q = q.where('debit_account_id', 'in', ids);
    else if (query.direction === 'in') q = q.where('credit_account_id', 'in', ids);
    else q = q.where((eb) => eb.or([eb('debit_account_id', 'in', ids), eb('credit_account_id', 'in', ids)]));
    if (query.cursor) q = q.where('id', '<', Number(query.cursor));
    if (query.asset) q = q.where('asset', '=', query.asset);
    if (query.kind) q = q.where('kind', '=', query.kind);
    if (query.month) {
      const [from, to] = monthRange(query.month);
      q = q.where('created_at', '>=', from).where('created_at', '<', to);
    }
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return { rows, walletIds: new Set(ids) };
  }

  const kindLabels: Record<string, string> = {
    top_up: 'Top-up',
    withdrawal: 'Withdrawal',
    withdrawal_fee: 'Withdrawal fee',
    p2p: 'Transfer',
    red_packet: 'Red packet sent',
    red_packet_claim: 'Red packet received',
    red_packet_refund: 'Red packet refund',
    gold_buy: 'Gold purchase',
    gold_sell: 'Gold sale',
    coupon_issuer_funding: 'Coupon issuer funding',
  };

  async function presentBill(accountId: number, rows: TransferRow[], walletIds: Set<number>): Promise<(BillEntry & { title: string })[]> {
    const counterpartIds = new Set<number>();
    for (const r of rows) {
      const other = walletIds.has(r.debit_account_id) ? r.credit_owner_id : r.debit_owner_id;
      if (other !== OPERATOR_OWNER_ID && other !== accountId) counterpartIds.add(other);
    }
    const people = await accounts.getAccounts([...counterpartIds]);
    return rows.map((r) => {
      const direction = walletIds.has(r.debit_account_id) ? ('out' as const) : ('in' as const);
      const otherId = direction === 'out' ? r.credit_owner_id : r.debit_owner_id;
      const other = otherId !== OPERATOR_OWNER_ID && otherId !== accountId ? people.get(otherId) : undefined;
      return {
        id: idString(r.id),
        kind: r.kind,
        title: kindLabels[r.kind] ?? r.kind,
        asset: r.asset,
        direction,
        amountMinor: present(r.amount),
        status: r.status,
        counterparty: other ? { id: idString(other.id), displayName: other.display_name } : null,
        note: r.note,
        createdAt: toIso(r.created_at),
      };
    });
  }

  async function bill(accountId: number, query: BillQuery) {
    const limit = Math.min(query.limit ?? 50, settings.billPageMax);
    const { rows, walletIds } = await billRows(accountId, query, limit);
    const entries = await presentBill(accountId, rows, walletIds);
    return { entries, nextCursor: rows.length === limit ? idString((rows[rows.length - 1] as TransferRow).id) : null };
  }

  async function monthlyTotals(accountId: number, asset = 'CNY', months = 12) {
    const now = new Date(clock());
    const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1);
    const ids = await walletAccountIds(accountId);
    const buckets = new Map<string, { inMinor: number; outMinor: number }>();
    for (let i = 0; i < months; i += 1) {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1) + i, 1));
      buckets.set(d.toISOString().slice(0, 7), { inMinor: 0, outMinor: 0 });
    }
    if (ids.length > 0) {
      for (const column of ['debit_account_id', 'credit_account_id'] as const) {
        const rows = await db
          .selectFrom('ledger_transfers')
          .select(['amount', 'created_at'])
          .where(column, 'in', ids)
          .where('asset', '=', asset)
          .where('status', '=', 'posted')
          .where('created_at', '>=', first)
          .limit(100_000)
          .execute();
        for (const r of rows) {
          const bucket = buckets.get(new Date(r.created_at).toISOString().slice(0, 7));
          if (!bucket) continue;
          if (column === 'debit_account_id') bucket.outMinor += r.amount;
          else bucket.inMinor += r.amount;
        }
      }
    }
    return {
      asset,
      months: [...buckets].map(([month, b]) => ({ month, inMinor: present(b.inMinor), outMinor: present(b.outMinor) })),
    };
  }

  async function billCsv(accountId: number, query: BillQuery): Promise<string> {
    const { rows, walletIds } = await billRows(accountId, query, 10_000);
    const entries = await presentBill(accountId, rows, walletIds);
    const cell = (v: string) => (/[",\n\r]/.test(v) || /^[=+\-@]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = ['id,created_at,kind,direction,asset,amount_minor,status,counterparty,note'];
    for (const e of entries) {
      lines.push([e.id, e.createdAt, e.kind, e.direction, e.asset, e.amountMinor, e.status, e.counterparty?.displayName ?? '', e.note].map(cell).join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  // The port other modules move money through ------------------------------------------------------
  const ledger: LedgerPort = {
    account: (ownerId, kind, asset) => directory.resolve(ownerId, kind, asset),
    async balance(account) {
      const row = await db.selectFrom('ledger_accounts').select(['balance', 'held']).where('id', '=', account.id).executeTakeFirst();
      invariant(row, `ledger account ${account.id} exists`);
      return { balanceMinor: row.balance, heldMinor: row.held };
    },
    registerExtension: (name, extension) => writer.registerExtension(name, extension),
    idempotent: (actorId, key, options, run) =>
      idempotent(actorId, key, options.required, options.route, options.body, (record, ticket) => run({ record, ticket })),
    idempotencyRecord: (actorId, run, respond) => idempotencyRecord(actorId, run.record, respond),
    submit: (command, ticket) => writer.submit(command, ticket),
    verifyPin,
    requireAsset,
    parseAmount,
    withDailyReservation,
    now: () => clock(),
  };

  // Life cycle ---------------------------------------------------------------------------------------
  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();
  function runSweep() {
    sweeping = sweep().catch((error) => ctx.log.error({ err: error }, 'wallet sweep failed'));
    return sweeping;
  }

  return {
    settings,
    ledger,
    setPin,
    verifyPin,
    getWallet,
    bindCard,
    listCards,
    removeCard,
    topUp,
    withdraw,
    createTransfer,
    getTransfer,
    acceptTransfer: (viewerId: number, id: number, key?: string) => resolveTransfer(viewerId, id, 'posted', key),
    returnTransfer: (viewerId: number, id: number, key?: string) => resolveTransfer(viewerId, id, 'voided', key),
    createRedPacket,
    claimRedPacket,
    getRedPacket,
    activateGold,
    getGold,
    buyGold: (id: number, input: GoldTradeBody, key?: string) => tradeGold(id, 'buy', input, key),
    sellGold: (id: number, input: GoldTradeBody, key?: string) => tradeGold(id, 'sell', input, key),
    setGoldPrice,
    bill,
    monthlyTotals,
    billCsv,
    sweep,
    verify: () => verifyLedger(db),
    /** Starts the expiry sweeper: once now (for whatever expired while the server was down), then on an interval. */
    start() {
      void runSweep();
      sweeper = setInterval(() => void runSweep(), settings.sweepEveryMs);
      sweeper.unref();
    },
    setClock(fn: () => number) {
      clock = fn;
    },
    setBankAdapter(adapter: BankAdapter) {
      bank = adapter;
    },
    setGoldPriceSource(source: GoldPriceSource) {
      goldPrice = source;
    },
    writerStats: () => ({ batches: writer.batches, commands: writer.commands }),
    cardsPosted,
    async close() {
      if (sweeper) clearInterval(sweeper);
      await sweeping;
      await writer.close();
      await cardsPosted();
    },
  };
}

export type WalletService = ReturnType<typeof createWalletService>;
export type { AccountRef };
