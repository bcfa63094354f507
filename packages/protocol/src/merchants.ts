import { type Static, Type } from 'typebox';
import { Handle } from './schemas.js';
import { AmountMinor, Pin } from './wallet.js';

/** Objects drop unknown properties (removeAdditional) instead of failing, so older clients keep working. */
const Obj = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });
const MerchantId = Type.Union([Type.String({ pattern: '^[0-9]{1,15}$' }), Type.Integer({ minimum: 1 })]);
const Reference = Type.String({ pattern: '^[A-Za-z0-9_\\-]{1,64}$' });
const IsoTime = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$', maxLength: 30 });
/** Free text without NUL or other control characters: PostgreSQL refuses NUL in text, and none belongs in a name or note. */
const Text = (options: { minLength?: number; maxLength: number }) =>
  Type.String({ ...options, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' });

export const merchantCategories = ['food', 'grocery', 'retail', 'services', 'health', 'education', 'entertainment', 'transport', 'other'] as const;
export const MerchantCategory = Type.Union(merchantCategories.map((c) => Type.Literal(c)));
export type MerchantCategory = Static<typeof MerchantCategory>;

export const MerchantApplicationBody = Obj({
  businessName: Text({ minLength: 1, maxLength: 80 }),
  category: MerchantCategory,
  licenceNumber: Type.String({ pattern: '^[A-Za-z0-9\\-]{6,40}$' }),
  address: Text({ minLength: 1, maxLength: 200 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
});
export type MerchantApplicationBody = Static<typeof MerchantApplicationBody>;

export const MerchantReviewBody = Obj({
  decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
  note: Type.Optional(Text({ maxLength: 200 })),
});
export type MerchantReviewBody = Static<typeof MerchantReviewBody>;

export const MerchantStaffRole = Type.Union([Type.Literal('cashier'), Type.Literal('manager')]);
export const AddStaffBody = Obj({ accountId: MerchantId, role: MerchantStaffRole });
export type AddStaffBody = Static<typeof AddStaffBody>;

export const WebhookBody = Obj({ url: Type.Union([Type.String({ pattern: '^https?://', maxLength: 300 }), Type.Null()]) });

export const CreateOrderBody = Obj({
  amountMinor: AmountMinor,
  description: Type.Optional(Text({ maxLength: 100 })),
  outTradeNo: Type.Optional(Reference),
  /** Seconds until the order can no longer be paid (default 15 minutes). */
  expiresInSeconds: Type.Optional(Type.Integer({ minimum: 30, maximum: 7 * 24 * 3600 })),
});
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const PayCodeBody = Obj({ amountMinor: Type.Optional(AmountMinor), pin: Pin });
export type PayCodeBody = Static<typeof PayCodeBody>;

export const ChargeCodeBody = Obj({
  code: Type.String({ pattern: '^[0-9]{18}$' }),
  amountMinor: AmountMinor,
  description: Type.Optional(Text({ maxLength: 100 })),
  outTradeNo: Type.Optional(Reference),
});
export type ChargeCodeBody = Static<typeof ChargeCodeBody>;

export const ConfirmChargeBody = Obj({ pin: Pin });

export const RefundBody = Obj({
  paymentId: Type.Optional(MerchantId),
  outTradeNo: Type.Optional(Reference),
  refundNo: Reference,
  amountMinor: AmountMinor,
  reason: Type.Optional(Text({ maxLength: 100 })),
});
export type RefundBody = Static<typeof RefundBody>;

export const MerchantPageQuery = Obj({
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
export type MerchantPageQuery = Static<typeof MerchantPageQuery>;

export const ReviewQueueQuery = Obj({
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')])),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const RedeemPointsBody = Obj({ points: AmountMinor, target: Type.Union([Type.Literal('fees'), Type.Literal('cash')]) });
export type RedeemPointsBody = Static<typeof RedeemPointsBody>;

export const PointsRulesBody = Obj({
  pointsPerPayment: Type.Integer({ minimum: 0, maximum: 100 }),
  pointValueMinor: Type.Integer({ minimum: 0, maximum: 10_000 }),
  cashEnabled: Type.Boolean(),
  cashMaxPointsPerDay: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
});
export type PointsRulesBody = Static<typeof PointsRulesBody>;

export const CouponCampaignBody = Obj({
  name: Text({ minLength: 1, maxLength: 60 }),
  budgetMinor: AmountMinor,
  faceMinor: AmountMinor,
  thresholdMinor: AmountMinor,
  perMemberCap: Type.Integer({ minimum: 1, maximum: 100 }),
  categories: Type.Optional(Type.Array(MerchantCategory, { maxItems: 20 })),
  merchantIds: Type.Optional(Type.Array(MerchantId, { maxItems: 1000 })),
  batches: Type.Array(Obj({ releaseAt: IsoTime, quota: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }), { minItems: 1, maxItems: 100 }),
  validFrom: IsoTime,
  validUntil: IsoTime,
});
export type CouponCampaignBody = Static<typeof CouponCampaignBody>;

export const MerchantSearchQuery = Obj({
  q: Type.Optional(Text({ maxLength: 60 })),
  category: Type.Optional(MerchantCategory),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  radiusM: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});
export type MerchantSearchQuery = Static<typeof MerchantSearchQuery>;

export const ReportQuery = Obj({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })) });

const DateOnly = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });

export const CoverProgramBody = Obj({
  name: Text({ minLength: 1, maxLength: 60 }),
  dailyBenefitMinor: Type.Optional(AmountMinor),
  maxDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
  minPoints: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  pointsWindowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
  poolMinor: AmountMinor,
  enrolUntil: IsoTime,
  endsAt: IsoTime,
});
export type CoverProgramBody = Static<typeof CoverProgramBody>;

export const CoverEnrolBody = Obj({ programId: MerchantId });

export const CoverClaimBody = Obj({
  programId: MerchantId,
  startDate: DateOnly,
  endDate: DateOnly,
  mediaIds: Type.Array(MerchantId, { minItems: 1, maxItems: 9 }),
  note: Type.Optional(Text({ maxLength: 300 })),
});
export type CoverClaimBody = Static<typeof CoverClaimBody>;

export const CoverDocumentsBody = Obj({ mediaIds: Type.Array(MerchantId, { minItems: 1, maxItems: 9 }), note: Type.Optional(Text({ maxLength: 300 })) });
export type CoverDocumentsBody = Static<typeof CoverDocumentsBody>;

export const CoverDecisionBody = Obj({
  decision: Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('ask_more')]),
  note: Type.Optional(Text({ maxLength: 300 })),
});
export type CoverDecisionBody = Static<typeof CoverDecisionBody>;

export const CoverClaimsQuery = Obj({
  status: Type.Optional(Type.Union([Type.Literal('submitted'), Type.Literal('more_info'), Type.Literal('approved'), Type.Literal('rejected')])),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const SettlementBody = Obj({ amountMinor: AmountMinor, pin: Pin });
export type SettlementBody = Static<typeof SettlementBody>;

export const StatementQuery = Obj({ day: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }) });

/** A coupon issuer other than the operator (a town, a district), registered by an operator. */
export const CouponIssuerBody = Obj({
  name: Type.String({ minLength: 1, maxLength: 60 }),
  region: Type.String({ minLength: 1, maxLength: 60 }),
  /** Plaza IDs of the members who act for the issuer. */
  memberHandles: Type.Optional(Type.Array(Handle, { maxItems: 20 })),
});
export type CouponIssuerBody = Static<typeof CouponIssuerBody>;

export const CouponIssuerMemberBody = Obj({ handle: Handle });
export type CouponIssuerMemberBody = Static<typeof CouponIssuerMemberBody>;

export const CouponIssuerStatusBody = Obj({ status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]) });
export type CouponIssuerStatusBody = Static<typeof CouponIssuerStatusBody>;

/** A member acting for an issuer moves money from their own wallet into the issuer's account. */
export const CouponIssuerFundingBody = Obj({ amountMinor: AmountMinor, pin: Pin });
export type CouponIssuerFundingBody = Static<typeof CouponIssuerFundingBody>;

/** The operator funds an issuer from its fee account. */
export const OperatorIssuerFundingBody = Obj({ amountMinor: AmountMinor });
export type OperatorIssuerFundingBody = Static<typeof OperatorIssuerFundingBody>;
