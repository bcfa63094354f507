import type { AccountRef, IdempotencyRecord, LedgerCommand, LedgerExtension, LedgerResult } from './ledger.js';
import type { AccountKind } from './tables.js';

/** A stored or fresh answer to a money-moving request. */
export interface MoneyResponse {
  statusCode: number;
  body: unknown;
}

/** What an idempotent run receives: the stored key (when the caller sent one) and the writer ticket. */
export interface IdempotentRun {
  record: { key: string; requestHash: string } | undefined;
  ticket: { done(): void };
}

/**
 * How other modules (merchants, official accounts, …) move money: through the wallet's own
 * group-committing writer, its idempotency store, PIN checks and daily limits, so every rule the
 * wallet proves holds for them too. Their own tables commit with the money through an extension.
 * Nothing outside the wallet writes `ledger_*` tables.
 */
export interface LedgerPort {
  /** The ledger account of an owner (member id, merchant id, program id, 0 for the operator), created on first use. */
  account(ownerId: number, kind: AccountKind, asset: string): Promise<AccountRef>;
  /** Posted balance and pending hold of one ledger account. */
  balance(account: AccountRef): Promise<{ balanceMinor: number; heldMinor: number }>;
  /** Registers work on another module's tables that commits in the same transaction as a command's transfers. */
  registerExtension<P, R>(name: string, extension: LedgerExtension<P, R>): void;
  /**
   * Runs a money-moving request at most once per (actor, key): a retry gets the first response
   * (also while the first still runs); the same key with another body is IDEMPOTENCY_KEY_REUSED.
   * `route` names the operation; `body` is what a retry must match (a `pin` field is ignored).
   */
  idempotent(
    actorId: number,
    key: string | undefined,
    options: { required: boolean; route: string; body: Record<string, unknown> },
    run: (context: IdempotentRun) => Promise<MoneyResponse>,
  ): Promise<MoneyResponse>;
  /** The record to put in a command so its response is stored with the money. */
  idempotencyRecord(actorId: number, run: IdempotentRun, respond: (result: LedgerResult) => MoneyResponse): IdempotencyRecord | undefined;
  /** Submits one command to the group-commit writer; resolves after its transaction committed. */
  submit(command: LedgerCommand, ticket?: { done(): void }): Promise<LedgerResult>;
  /** Checks a member's payment PIN (WALLET_PIN_REQUIRED, WALLET_PIN_WRONG, WALLET_PIN_LOCKED). */
  verifyPin(accountId: number, pin: string): Promise<void>;
  /** WALLET_UNKNOWN_ASSET unless the asset is listed in the `assets` table. */
  requireAsset(code: string): Promise<string>;
  /** Parses a positive integer amount of minor units up to `max` (WALLET_INVALID_AMOUNT). */
  parseAmount(value: string | number, max?: number): number;
  /** Runs `fn` with `amount` reserved against the member's daily outgoing limit; released if `fn` throws. */
  withDailyReservation<T>(accountId: number, asset: string, amount: number, fn: () => Promise<T>): Promise<T>;
  /** The wallet's clock (tests move it). */
  now(): number;
}

export type { AccountRef, LedgerCommand, LedgerExtension, LedgerResult };
