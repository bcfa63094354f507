import { sql } from 'kysely';
import { BulkInsert } from '../../db/bulk-insert.js';
import { isPostgres } from '../../db/index.js';
import { AppError, invariant } from '../../lib/errors.js';
import { limits } from '../../limits.js';
import { inChunks } from '../../lib/chunks.js';
import { isUniqueViolation } from '../accounts/index.js';
import { type AccountKind, accountKinds, type LedgerAccountRow, type TransferRow, type WalletDb, type WalletTables, type WalletTrx } from './tables.js';

/** A ledger account as the writer needs it: the id, and the owner as the distribution key. */
export interface AccountRef {
  id: number;
  ownerId: number;
}

export interface NewTransfer {
  debit: AccountRef;
  credit: AccountRef;
  asset: string;
  amount: number;
  kind: string;
  /** `pending` holds the amount on the debit account until the transfer is posted or voided. */
  status: 'posted' | 'pending';
  reference?: string | null;
  note?: string;
  expiresAt?: number | null;
}

export interface Resolution {
  transferId: number;
  to: 'posted' | 'voided';
}

/** Work of another table that must commit with the money (a red packet row, a claim, …). */
export interface LedgerExtension<P = any, R = any> {
  /**
   * Runs inside the batch's transaction after the command's transfers are inserted. It may throw
   * (an AppError rejects the command when it is retried alone); it must not swallow failures.
   */
  apply(trx: WalletTrx, items: { payload: P; transfers: TransferRow[] }[]): Promise<R[]>;
}

export interface IdempotencyRecord {
  accountId: number;
  key: string;
  requestHash: string;
  respond(result: LedgerResult): { statusCode: number; body: unknown };
}

export interface LedgerCommand {
  transfers?: NewTransfer[];
  resolutions?: Resolution[];
  extension?: { name: string; payload: unknown };
  idempotency?: IdempotencyRecord;
}

export interface LedgerResult {
  transfers: TransferRow[];
  resolved: TransferRow[];
  extension: unknown;
  response?: { statusCode: number; body: unknown };
}

/** The command's idempotency key was stored by another request first (another node, or a race). */
export class IdempotencyConflict extends Error {
  constructor() {
    super('idempotency key already stored');
  }
}

interface Pending {
  command: LedgerCommand;
  resolve(result: LedgerResult): void;
  reject(error: unknown): void;
}

interface AccountState {
  balance: number;
  held: number;
  mayGoNegative: boolean;
  balanceDelta: number;
  heldDelta: number;
}

const transferInsert = new BulkInsert<TransferRow, 'id' | 'debit_account_id' | 'amount'>(
  'ledger_transfers',
  [
    'debit_account_id',
    'credit_account_id',
    'debit_owner_id',
    'credit_owner_id',
    'asset',
    'amount',
    'kind',
    'status',
    'reference',
    'note',
    'expires_at',
    'created_at',
    'resolved_at',
  ],
  ['id', 'debit_account_id', 'amount'],
);
const idempotencyInsert = new BulkInsert<WalletTables['idempotency_keys']>('idempotency_keys', [
  'account_id',
  'key',
  'request_hash',
  'status_code',
  'response',
  'created_at',
]);

function assertTransferShape(t: NewTransfer): void {
  invariant(Number.isSafeInteger(t.amount) && t.amount > 0, `transfer amount ${t.amount} is a positive safe integer`);
  invariant(t.debit.id !== t.credit.id, 'a transfer moves between two different accounts');
}

/**
 * Group commit for money: commands that arrive while a transaction is being written wait for the
 * next one, so each transaction (and each fsync) carries many transfers. Every command is checked
 * against the balances in memory first, so one that would overdraw is rejected alone; a command
 * whose SQL fails makes the batch retry one command at a time. A caller is answered only after the
 * transaction that holds its transfers has committed.
 */
export class LedgerWriter {
  private queue: Pending[] = [];
  private running = false;
  private closed = false;
  private idle: (() => void)[] = [];
  /** Transactions running outside the queue (batchMax 1, see submit). */
  private inflight = 0;
  private readonly postgres: boolean;
  private readonly extensions = new Map<string, LedgerExtension>();
  private announced = 0;
  batches = 0;
  commands = 0;

  constructor(
    private readonly db: WalletDb,
    private readonly batchMax: number = limits.writerBatchMax,
    private readonly lingerMs = 4,
  ) {
    this.postgres = isPostgres(db as never);
  }

  registerExtension(name: string, extension: LedgerExtension): void {
    this.extensions.set(name, extension);
  }

  /**
   * Says a command is on its way (its request is reading what it needs); the writer waits a few
   * milliseconds for announced commands before it starts a transaction. Call done() when the
   * command is submitted or the request gave up.
   */
  announce(): { done(): void } {
    this.announced += 1;
    let open = true;
    return {
      done: () => {
        if (!open) return;
        open = false;
        this.announced -= 1;
      },
    };
  }

  submit(command: LedgerCommand, ticket?: { done(): void }): Promise<LedgerResult> {
    ticket?.done();
    if (this.closed) return Promise.reject(new AppError('SERVICE_UNAVAILABLE'));
    for (const t of command.transfers ?? []) assertTransferShape(t);
    if (this.batchMax === 1) return this.submitAlone(command);
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /**
   * The naive design, for comparison (WALLET_WRITER_BATCH_MAX=1): every command is its own
   * transaction, started as soon as it arrives, so on PostgreSQL transactions run side by side
   * (as many as the pool has connections, ordered by their row locks); SQLite takes them one at
   * a time as it must.
   */
  private submitAlone(command: LedgerCommand): Promise<LedgerResult> {
    this.inflight += 1;
    return new Promise<LedgerResult>((resolve, reject) => {
      this.writeBatch([{ command, resolve, reject }])
        .catch((error) => reject(isUniqueViolation(error) && command.idempotency ? new IdempotencyConflict() : error))
        .finally(() => {
          this.inflight -= 1;
          if (this.inflight === 0 && !this.running) for (const resolve of this.idle.splice(0)) resolve();
        });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // Linger while announced requests are still preparing (on SQLite their reads wait for the
      // one connection this transaction is about to take), so a batch is not one command long.
      const lingerStart = performance.now();
      while (this.queue.length < this.batchMax && this.announced > 0 && performance.now() - lingerStart < this.lingerMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const batch = this.queue.splice(0, this.batchMax);
      try {
        await this.writeBatch(batch);
      } catch {
        for (const pending of batch) {
          try {
            await this.writeBatch([pending]);
          } catch (error) {
            pending.reject(isUniqueViolation(error) && pending.command.idempotency ? new IdempotencyConflict() : error);
          }
        }
      }
    }
    this.running = false;
    if (this.inflight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const rejected = new Map<Pending, AppError>();
    const outcome = await this.db.transaction().execute(async (trx) => {
      // 1. Pending transfers to post or void, locked.
      const resolutionIds = [...new Set(batch.flatMap((p) => (p.command.resolutions ?? []).map((r) => r.transferId)))];
      const pendingRows = new Map<number, TransferRow>();
      if (resolutionIds.length > 0) {
        let q = trx.selectFrom('ledger_transfers').selectAll().where('id', 'in', resolutionIds);
        if (this.postgres) q = q.forUpdate();
        for (const row of await q.execute()) pendingRows.set(row.id, row);
      }
      // 2. Every touched account, locked in id order (no deadlocks between nodes).
      const accountIds = new Set<number>();
      for (const { command } of batch) {
        for (const t of command.transfers ?? []) accountIds.add(t.debit.id).add(t.credit.id);
        for (const r of command.resolutions ?? []) {
          const row = pendingRows.get(r.transferId);
          if (row) accountIds.add(row.debit_account_id).add(row.credit_account_id);
        }
      }
      const state = new Map<number, AccountState>();
      const ids = [...accountIds].sort((a, b) => a - b);
      const accounts = await inChunks(ids, limits.insertChunkRows, (chunk) => {
        const q = trx.selectFrom('ledger_accounts').select(['id', 'balance', 'held', 'may_go_negative']).where('id', 'in', chunk).orderBy('id');
        return (this.postgres ? q.forUpdate() : q).execute();
      });
      for (const row of accounts) {
        state.set(row.id, { balance: row.balance, held: row.held, mayGoNegative: row.may_go_negative === 1, balanceDelta: 0, heldDelta: 0 });
      }
      // 3. Apply each command in memory, in arrival order; one that fails its checks is rejected alone.
      const statusNow = new Map<number, string>([...pendingRows].map(([id, row]) => [id, row.status]));
      const accepted: Pending[] = [];
      for (const pending of batch) {
        const error = this.applyInMemory(pending.command, state, pendingRows, statusNow);
        if (error) rejected.set(pending, error);
        else accepted.push(pending);
      }
      // 4. New transfers, in one multi-row insert per chunk. Only the ids come back (and what
      // proves the order); the rest of each row is what was written.
      const now = Date.now();
      const inserted: TransferRow[] = [];
      for (const { command } of accepted) {
        for (const t of command.transfers ?? []) {
          inserted.push({
            id: 0,
            debit_account_id: t.debit.id,
            credit_account_id: t.credit.id,
            debit_owner_id: t.debit.ownerId,
            credit_owner_id: t.credit.ownerId,
            asset: t.asset,
            amount: t.amount,
            kind: t.kind,
            status: t.status,
            reference: t.reference ?? null,
            note: t.note ?? '',
            expires_at: t.expiresAt ?? null,
            created_at: now,
            resolved_at: null,
          });
        }
      }
      const written = await transferInsert.execute(
        trx,
        inserted.map((r) => [
          r.debit_account_id,
          r.credit_account_id,
          r.debit_owner_id,
          r.credit_owner_id,
          r.asset,
          r.amount,
          r.kind,
          r.status,
          r.reference,
          r.note,
          r.expires_at,
          r.created_at,
          r.resolved_at,
        ]),
      );
      invariant(written.length === inserted.length, 'every inserted transfer came back');
      inserted.forEach((row, i) => {
        const back = written[i] as { id: number; debit_account_id: number; amount: number };
        invariant(Number(back.debit_account_id) === row.debit_account_id && Number(back.amount) === row.amount, 'inserted transfers keep their order');
        row.id = Number(back.id);
      });
      const results = new Map<Pending, LedgerResult>();
      let cursor = 0;
      for (const pending of accepted) {
        const count = pending.command.transfers?.length ?? 0;
        const transfers = inserted.slice(cursor, cursor + count);
        cursor += count;
        results.set(pending, { transfers, resolved: [], extension: undefined });
      }
      // 5. Pending → posted / voided, only from pending (the one update a transfer ever gets).
      for (const to of ['posted', 'voided'] as const) {
        const targets = accepted.flatMap(({ command }) => (command.resolutions ?? []).filter((r) => r.to === to).map((r) => r.transferId));
        if (targets.length === 0) continue;
        const updated = await trx
          .updateTable('ledger_transfers')
          .set({ status: to, resolved_at: now })
          .where('id', 'in', targets)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        invariant(Number(updated.numUpdatedRows) === targets.length, 'every resolved transfer was pending');
      }
      for (const pending of accepted) {
        const result = results.get(pending) as LedgerResult;
        result.resolved = (pending.command.resolutions ?? []).map((r) => ({
          ...(pendingRows.get(r.transferId) as TransferRow),
          status: r.to,
          resolved_at: now,
        }));
      }
      // 6. Other tables that commit with the money, batched per extension.
      const byExtension = new Map<string, Pending[]>();
      for (const pending of accepted) {
        const name = pending.command.extension?.name;
        if (name) byExtension.set(name, [...(byExtension.get(name) ?? []), pending]);
      }
      for (const [name, group] of byExtension) {
        const extension = this.extensions.get(name);
        invariant(extension, `ledger extension ${name} is registered`);
        const outputs = await extension.apply(
          trx,
          group.map((p) => ({ payload: p.command.extension?.payload, transfers: (results.get(p) as LedgerResult).transfers })),
        );
        group.forEach((p, i) => {
          (results.get(p) as LedgerResult).extension = outputs[i];
        });
      }
      // 7. Cached balances, one write per touched account.
      await this.writeBalances(trx, state);
      // 8. Idempotency records, in the same transaction as the money they describe.
      const keyRows = accepted
        .filter((p) => p.command.idempotency)
        .map((p) => {
          const record = p.command.idempotency as IdempotencyRecord;
          const result = results.get(p) as LedgerResult;
          result.response = record.respond(result);
          return [record.accountId, record.key, record.requestHash, result.response.statusCode, JSON.stringify(result.response.body), now];
        });
      await idempotencyInsert.execute(trx, keyRows);
      return results;
    });
    this.batches += 1;
    this.commands += batch.length;
    for (const pending of batch) {
      const error = rejected.get(pending);
      if (error) pending.reject(error);
      else pending.resolve(outcome.get(pending) as LedgerResult);
    }
  }

  /** Applies one command to the in-memory balances, or leaves them untouched and says why not. */
  private applyInMemory(
    command: LedgerCommand,
    state: Map<number, AccountState>,
    pendingRows: Map<number, TransferRow>,
    statusNow: Map<number, string>,
  ): AppError | undefined {
    const touched = new Map<number, AccountState>();
    const snapshot = (id: number): AccountState => {
      const s = state.get(id);
      invariant(s, `ledger account ${id} exists`);
      if (!touched.has(id)) touched.set(id, { ...s });
      return s;
    };
    const statusChanges: [number, string][] = [];
    for (const r of command.resolutions ?? []) {
      const row = pendingRows.get(r.transferId);
      if (!row) return new AppError('WALLET_TRANSFER_NOT_FOUND');
      if (statusNow.get(r.transferId) !== 'pending') return new AppError('WALLET_TRANSFER_CLOSED');
      const debit = snapshot(row.debit_account_id);
      const credit = snapshot(row.credit_account_id);
      debit.held -= row.amount;
      debit.heldDelta -= row.amount;
      if (r.to === 'posted') {
        debit.balance -= row.amount;
        debit.balanceDelta -= row.amount;
        credit.balance += row.amount;
        credit.balanceDelta += row.amount;
      }
      statusChanges.push([r.transferId, r.to]);
    }
    for (const t of command.transfers ?? []) {
      const debit = snapshot(t.debit.id);
      const credit = snapshot(t.credit.id);
      if (t.status === 'pending') {
        debit.held += t.amount;
        debit.heldDelta += t.amount;
      } else {
        debit.balance -= t.amount;
        debit.balanceDelta -= t.amount;
        credit.balance += t.amount;
        credit.balanceDelta += t.amount;
      }
    }
    for (const id of touched.keys()) {
      const s = state.get(id) as AccountState;
      if (s.held < 0 || (!s.mayGoNegative && (s.balance < 0 || s.balance - s.held < 0))) {
        for (const [undoId, saved] of touched) state.set(undoId, saved);
        return new AppError('WALLET_INSUFFICIENT_FUNDS');
      }
    }
    for (const [id, status] of statusChanges) statusNow.set(id, status);
    return undefined;
  }

  private async writeBalances(trx: WalletTrx, state: Map<number, AccountState>): Promise<void> {
    const changed = [...state].filter(([, s]) => s.balanceDelta !== 0 || s.heldDelta !== 0).sort(([a], [b]) => a - b);
    if (changed.length === 0) return;
    // One statement per chunk, the same on both databases (SQLite has UPDATE … FROM since 3.33;
    // VALUES columns are column1… on both, the casts type the parameters for PostgreSQL), as
    // db/counters.ts does: a batch touches hundreds of accounts.
    for (let start = 0; start < changed.length; start += limits.insertChunkRows) {
      const rows = changed
        .slice(start, start + limits.insertChunkRows)
        .map(([id, s]) => sql`(CAST(${id} AS bigint), CAST(${s.balanceDelta} AS bigint), CAST(${s.heldDelta} AS bigint))`);
      await sql`UPDATE ledger_accounts SET balance = ledger_accounts.balance + v.column2, held = ledger_accounts.held + v.column3 FROM (VALUES ${sql.join(rows)}) AS v WHERE ledger_accounts.id = v.column1`.execute(
        trx,
      );
    }
  }

  /** Resolves when every submitted command has been written (or rejected). */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.running && this.inflight === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}

/** Finds (or creates, once) the ledger account of an owner, kind and asset; ids are cached. */
export function createAccountDirectory(db: WalletDb) {
  const cache = new Map<string, AccountRef>();

  async function resolve(ownerId: number, kind: AccountKind, asset: string): Promise<AccountRef> {
    const cacheKey = `${ownerId}:${kind}:${asset}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const find = () =>
      db
        .selectFrom('ledger_accounts')
        .select('id')
        .where('owner_account_id', '=', ownerId)
        .where('kind', '=', kind)
        .where('asset', '=', asset)
        .executeTakeFirst();
    let row = await find();
    if (!row) {
      await db
        .insertInto('ledger_accounts')
        .values({
          owner_account_id: ownerId,
          kind,
          asset,
          balance: 0,
          held: 0,
          may_go_negative: accountKinds[kind].mayGoNegative ? 1 : 0,
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['owner_account_id', 'kind', 'asset']).doNothing())
        .execute();
      row = await find();
    }
    invariant(row, `ledger account ${cacheKey} exists after creation`);
    const ref = { id: row.id, ownerId };
    if (cache.size > 200_000) cache.clear();
    cache.set(cacheKey, ref);
    return ref;
  }

  return { resolve };
}

export type AccountDirectory = ReturnType<typeof createAccountDirectory>;

export interface LedgerVerification {
  ok: boolean;
  assets: { asset: string; sumMinor: string; ok: boolean }[];
  /** Accounts whose cached balance or hold differs from the one recomputed from transfers. */
  mismatches: { accountId: number; asset: string; balance: number; expectedBalance: number; held: number; expectedHeld: number }[];
  /** Member accounts below zero (the database check should make this impossible). */
  negative: number[];
  accounts: number;
  transfers: number;
}

/** Recomputes every balance from the transfers and checks that each asset sums to zero. */
export async function verifyLedger(db: WalletDb): Promise<LedgerVerification> {
  const accounts: LedgerAccountRow[] = await db.selectFrom('ledger_accounts').selectAll().execute();
  const assets = await db.selectFrom('assets').select('code').orderBy('code').execute();
  const posted = new Map<number, number>();
  const held = new Map<number, number>();
  const add = (map: Map<number, number>, id: number, amount: number) => map.set(id, (map.get(id) ?? 0) + amount);
  const debits = await db
    .selectFrom('ledger_transfers')
    .select(['debit_account_id as id', 'status', (eb) => eb.fn.sum<string | number>('amount').as('total'), (eb) => eb.fn.countAll<string | number>().as('n')])
    .groupBy(['debit_account_id', 'status'])
    .execute();
  const credits = await db
    .selectFrom('ledger_transfers')
    .select(['credit_account_id as id', (eb) => eb.fn.sum<string | number>('amount').as('total')])
    .where('status', '=', 'posted')
    .groupBy('credit_account_id')
    .execute();
  let transfers = 0;
  for (const row of debits) {
    transfers += Number(row.n);
    if (row.status === 'posted') add(posted, row.id, -Number(row.total));
    if (row.status === 'pending') add(held, row.id, Number(row.total));
  }
  for (const row of credits) add(posted, row.id, Number(row.total));
  const sums = new Map<string, number>(assets.map((a) => [a.code, 0]));
  const badAssets = new Set<string>();
  const mismatches: LedgerVerification['mismatches'] = [];
  const negative: number[] = [];
  for (const account of accounts) {
    sums.set(account.asset, (sums.get(account.asset) ?? 0) + account.balance);
    const expectedBalance = posted.get(account.id) ?? 0;
    const expectedHeld = held.get(account.id) ?? 0;
    if (expectedBalance !== account.balance || expectedHeld !== account.held) {
      mismatches.push({ accountId: account.id, asset: account.asset, balance: account.balance, expectedBalance, held: account.held, expectedHeld });
      badAssets.add(account.asset);
    }
    if (account.may_go_negative !== 1 && (account.balance < 0 || account.balance - account.held < 0)) {
      negative.push(account.id);
      badAssets.add(account.asset);
    }
  }
  const assetReports = [...sums].map(([asset, sum]) => ({ asset, sumMinor: String(sum), ok: sum === 0 && !badAssets.has(asset) }));
  return {
    ok: assetReports.every((a) => a.ok),
    assets: assetReports,
    mismatches,
    negative,
    accounts: accounts.length,
    transfers,
  };
}
