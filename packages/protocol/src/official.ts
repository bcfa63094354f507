import { type Static, Type } from 'typebox';
import { Id } from './schemas.js';
import { AmountMinor, Pin } from './wallet.js';

const Obj = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });

/** Named limits of Official Accounts, shared by server and clients (units last). */
export const officialLimits = {
  nameMaxChars: 40,
  descriptionMaxChars: 500,
  accountsPerMemberMax: 5,
  titleMaxChars: 120,
  summaryMaxChars: 300,
  bodyMaxChars: 100_000,
  previewMaxChars: 20_000,
  commentMaxChars: 500,
  messageMaxChars: 1000,
  keywordMaxChars: 40,
  autoRepliesMax: 50,
  menuButtonsMax: 5,
  menuLabelMaxChars: 16,
  pageMax: 50,
  pageDefault: 20,
  statsDaysMax: 90,
  adminsMax: 20,
  /** Broadcast notifications stop after this many chunks of followers (a bound, not a target). */
  fanOutChunksMax: 100_000,
} as const;

export const OfficialType = Type.Union([Type.Literal('subscription'), Type.Literal('service')]);
export type OfficialType = Static<typeof OfficialType>;

export const OfficialStatus = Type.Union([Type.Literal('pending'), Type.Literal('verified'), Type.Literal('rejected')]);
export type OfficialStatus = Static<typeof OfficialStatus>;

export const CreateOfficialAccountBody = Obj({
  type: OfficialType,
  name: Type.String({ minLength: 1, maxLength: officialLimits.nameMaxChars }),
  description: Type.Optional(Type.String({ maxLength: officialLimits.descriptionMaxChars })),
  avatarMediaId: Type.Optional(Id),
});
export type CreateOfficialAccountBody = Static<typeof CreateOfficialAccountBody>;

export const MenuButton = Obj({
  label: Type.String({ minLength: 1, maxLength: officialLimits.menuLabelMaxChars }),
  action: Type.Union([Type.Literal('reply'), Type.Literal('link')]),
  /** The account's answer when `action` is reply. */
  reply: Type.Optional(Type.String({ minLength: 1, maxLength: officialLimits.messageMaxChars })),
  /** Where `action` link goes. */
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://' })),
});
export type MenuButton = Static<typeof MenuButton>;

export const UpdateOfficialAccountBody = Obj({
  description: Type.Optional(Type.String({ maxLength: officialLimits.descriptionMaxChars })),
  avatarMediaId: Type.Optional(Type.Union([Id, Type.Null()])),
  menu: Type.Optional(Type.Array(MenuButton, { maxItems: officialLimits.menuButtonsMax })),
});
export type UpdateOfficialAccountBody = Static<typeof UpdateOfficialAccountBody>;

export const ReviewOfficialAccountBody = Obj({
  decision: Type.Union([Type.Literal('verify'), Type.Literal('reject')]),
  note: Type.Optional(Type.String({ maxLength: 500 })),
});
export type ReviewOfficialAccountBody = Static<typeof ReviewOfficialAccountBody>;

export const PublishArticleBody = Obj({
  title: Type.String({ minLength: 1, maxLength: officialLimits.titleMaxChars }),
  summary: Type.Optional(Type.String({ maxLength: officialLimits.summaryMaxChars })),
  /** Rich text; the server keeps only a safe subset of HTML. */
  bodyHtml: Type.String({ minLength: 1, maxLength: officialLimits.bodyMaxChars }),
  /** What everyone sees of a paid article before unlocking it. */
  previewHtml: Type.Optional(Type.String({ maxLength: officialLimits.previewMaxChars })),
  coverMediaId: Type.Optional(Id),
  /** 0 or absent: free. Otherwise CNY minor units within the configured range. */
  priceMinor: Type.Optional(AmountMinor),
});
export type PublishArticleBody = Static<typeof PublishArticleBody>;

export const UnlockArticleBody = Obj({ pin: Pin });
export type UnlockArticleBody = Static<typeof UnlockArticleBody>;

export const RefundPurchaseBody = Obj({ accountId: Id, pin: Pin });
export type RefundPurchaseBody = Static<typeof RefundPurchaseBody>;

export const TipArticleBody = Obj({ amountMinor: AmountMinor, pin: Pin });
export type TipArticleBody = Static<typeof TipArticleBody>;

export const OfficialCommentBody = Obj({ text: Type.String({ minLength: 1, maxLength: officialLimits.commentMaxChars }) });

export const OfficialMessageBody = Obj({ text: Type.String({ minLength: 1, maxLength: officialLimits.messageMaxChars }) });

export const MenuPressBody = Obj({ index: Type.Integer({ minimum: 0, maximum: officialLimits.menuButtonsMax - 1 }) });

export const AutoReplyBody = Obj({
  /** Absent or null: the default reply, sent when no keyword matches. */
  keyword: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: officialLimits.keywordMaxChars }), Type.Null()])),
  reply: Type.String({ minLength: 1, maxLength: officialLimits.messageMaxChars }),
});
export type AutoReplyBody = Static<typeof AutoReplyBody>;

export const AddOfficialAdminBody = Obj({ handle: Type.String({ minLength: 1, maxLength: 64 }) });

export const OfficialPageQuery = Obj({
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: officialLimits.pageMax })),
});
export type OfficialPageQuery = Static<typeof OfficialPageQuery>;

export const OfficialSearchQuery = Obj({
  q: Type.Optional(Type.String({ maxLength: officialLimits.nameMaxChars })),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: officialLimits.pageMax })),
});

export const OperatorOfficialQuery = Obj({
  status: Type.Optional(OfficialStatus),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: officialLimits.pageMax })),
});

export const OfficialStatsQuery = Obj({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: officialLimits.statsDaysMax })) });
