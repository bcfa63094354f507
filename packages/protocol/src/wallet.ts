import { type Static, Type } from 'typebox';

/** Objects drop unknown properties (removeAdditional) instead of failing, so older clients keep working. */
const Obj = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });

const WalletId = Type.Union([Type.String({ pattern: '^[0-9]{1,15}$' }), Type.Integer({ minimum: 1 })]);
/** Amounts travel as strings of integers in minor units ("1234" = 12.34 CNY); integers are accepted too. */
export const AmountMinor = Type.Union([Type.String({ pattern: '^[0-9]{1,15}$' }), Type.Integer({ minimum: 0 })]);
export const AssetCode = Type.String({ pattern: '^[A-Z]{3,8}$' });
export const Pin = Type.String({ pattern: '^[0-9]{6}$' });

export const SetPinBody = Obj({ pin: Pin, currentPin: Type.Optional(Pin) });
export type SetPinBody = Static<typeof SetPinBody>;

export const BindCardBody = Obj({
  number: Type.String({ pattern: '^[0-9 ]{12,23}$' }),
  holderName: Type.String({ minLength: 1, maxLength: 60 }),
});
export type BindCardBody = Static<typeof BindCardBody>;

export const FundingBody = Obj({ cardId: WalletId, asset: AssetCode, amountMinor: AmountMinor, pin: Pin });
export type FundingBody = Static<typeof FundingBody>;

export const CreateTransferBody = Obj({
  toAccountId: WalletId,
  asset: AssetCode,
  amountMinor: AmountMinor,
  note: Type.Optional(Type.String({ maxLength: 100 })),
  pin: Pin,
});
export type CreateTransferBody = Static<typeof CreateTransferBody>;

export const RedPacketMode = Type.Union([Type.Literal('random'), Type.Literal('equal'), Type.Literal('exclusive')]);
export type RedPacketMode = Static<typeof RedPacketMode>;

export const CreateRedPacketBody = Obj({
  conversationId: WalletId,
  mode: RedPacketMode,
  asset: AssetCode,
  totalMinor: AmountMinor,
  count: Type.Integer({ minimum: 1, maximum: 10_000 }),
  greeting: Type.Optional(Type.String({ maxLength: 60 })),
  /** For "exclusive": the one member who may open it. */
  exclusiveTo: Type.Optional(WalletId),
  pin: Pin,
});
export type CreateRedPacketBody = Static<typeof CreateRedPacketBody>;

export const GoldActivationBody = Obj({
  realName: Type.String({ minLength: 1, maxLength: 60 }),
  idNumber: Type.String({ minLength: 18, maxLength: 18 }),
  acceptTerms: Type.Boolean(),
});
export type GoldActivationBody = Static<typeof GoldActivationBody>;

export const GoldTradeBody = Obj({ weightMg: AmountMinor, pin: Pin });
export type GoldTradeBody = Static<typeof GoldTradeBody>;

export const GoldPriceBody = Obj({ pricePerGramMinor: AmountMinor });

export const BillQuery = Obj({
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  asset: Type.Optional(AssetCode),
  direction: Type.Optional(Type.Union([Type.Literal('in'), Type.Literal('out')])),
  kind: Type.Optional(Type.String({ maxLength: 24 })),
  month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$' })),
});
export type BillQuery = Static<typeof BillQuery>;

export const MonthlyQuery = Obj({ asset: Type.Optional(AssetCode), months: Type.Optional(Type.Integer({ minimum: 1, maximum: 36 })) });

export type TransferStatus = 'pending' | 'posted' | 'voided';

export interface WalletBalance {
  asset: string;
  availableMinor: string;
  heldMinor: string;
}

export interface BillEntry {
  id: string;
  kind: string;
  asset: string;
  direction: 'in' | 'out';
  amountMinor: string;
  status: TransferStatus;
  counterparty: { id: string; displayName: string } | null;
  note: string;
  createdAt: string;
}
