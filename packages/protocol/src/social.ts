import { type Static, Type } from 'typebox';
import { Id } from './schemas.js';

const Obj = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });

/** Named limits of Moments and Channels, shared by server and clients (units last). */
export const socialLimits = {
  momentTextMaxChars: 2000,
  momentPhotosMax: 9,
  momentVideoDurationMaxMs: 60_000,
  momentAudienceIdsMax: 5000,
  momentAudienceTagsMax: 20,
  momentCommentMaxChars: 500,
  /** Comments and likes shown under one post in a page; the rest via the post's own routes. */
  momentInlineInteractionsMax: 100,
  timelinePageMax: 50,
  timelinePageDefault: 10,
  /** A page skips at most this many rows the viewer may no longer see before it answers short. */
  timelineScanMax: 500,
  /** Notifications read beyond a page to settle ties on one millisecond. */
  notificationTieSlack: 20,
  channelNameMaxChars: 40,
  channelBioMaxChars: 200,
  channelCaptionMaxChars: 1000,
  channelFeedPageMax: 50,
  channelFollowsScanMax: 5000,
  /** Recommended ranks posts of this recent window only. */
  channelRecommendWindowMs: 7 * 24 * 3600 * 1000,
  channelRecommendCandidatesMax: 500,
  verificationLinksMax: 5,
  verificationPlatformsMax: 5,
  verificationDocumentsMax: 5,
  verificationStatementMaxChars: 1000,
  verificationNoteMaxChars: 500,
  verificationPageMax: 50,
  experimentVariantsMin: 2,
  experimentVariantsMax: 4,
  /** Experiments listed for one post (newest first). */
  experimentsPerPostMax: 20,
} as const;

export const HistoryWindow = Type.Union([Type.Literal('all'), Type.Literal('6m'), Type.Literal('3d')]);
export type HistoryWindow = Static<typeof HistoryWindow>;
export const historyWindowMs: Record<HistoryWindow, number | null> = { all: null, '6m': 183 * 24 * 3600 * 1000, '3d': 3 * 24 * 3600 * 1000 };

const Audience = Obj({
  accountIds: Type.Optional(Type.Array(Id, { maxItems: socialLimits.momentAudienceIdsMax })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: socialLimits.momentAudienceTagsMax })),
});

export const MomentVisibility = Type.Union([Type.Literal('friends'), Type.Literal('include'), Type.Literal('exclude')]);
export type MomentVisibility = Static<typeof MomentVisibility>;

export const LinkPreview = Obj({
  url: Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://' }),
  title: Type.String({ maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  imageUrl: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://' })),
});
export type LinkPreview = Static<typeof LinkPreview>;

export const Location = Obj({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
});

/** Text alone, text with 1–9 photos, with one video, or with one link; never two kinds at once. */
export const CreateMomentBody = Obj({
  text: Type.Optional(Type.String({ maxLength: socialLimits.momentTextMaxChars })),
  photoMediaIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: socialLimits.momentPhotosMax })),
  videoMediaId: Type.Optional(Id),
  link: Type.Optional(LinkPreview),
  location: Type.Optional(Location),
  visibility: Type.Optional(MomentVisibility),
  audience: Type.Optional(Audience),
});
export type CreateMomentBody = Static<typeof CreateMomentBody>;

export const MomentCommentBody = Obj({
  text: Type.String({ minLength: 1, maxLength: socialLimits.momentCommentMaxChars }),
  replyToCommentId: Type.Optional(Id),
});
export type MomentCommentBody = Static<typeof MomentCommentBody>;

export const MomentSettingsBody = Obj({
  historyWindow: Type.Optional(HistoryWindow),
  coverMediaId: Type.Optional(Type.Union([Id, Type.Null()])),
});
export type MomentSettingsBody = Static<typeof MomentSettingsBody>;

export const FeedQuery = Obj({
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: socialLimits.timelinePageMax })),
});

// Channels ---------------------------------------------------------------------------------------
export const CreateChannelBody = Obj({
  name: Type.String({ minLength: 1, maxLength: socialLimits.channelNameMaxChars }),
  bio: Type.Optional(Type.String({ maxLength: socialLimits.channelBioMaxChars })),
});

/**
 * A channel post's link: a web URL, or a path inside Plaza (an Official Account article, a mini
 * program page), which clients open in the app.
 */
export const ChannelLink = Obj({
  url: Type.String({ minLength: 1, maxLength: 2000, pattern: '^(https?://|/[A-Za-z0-9])' }),
  title: Type.String({ maxLength: 200 }),
});

export const ChannelPostBody = Obj({
  caption: Type.Optional(Type.String({ maxLength: socialLimits.channelCaptionMaxChars })),
  photoMediaIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: socialLimits.momentPhotosMax })),
  videoMediaId: Type.Optional(Id),
  link: Type.Optional(ChannelLink),
});
export type ChannelPostBody = Static<typeof ChannelPostBody>;

export const ChannelCommentBody = Obj({ text: Type.String({ minLength: 1, maxLength: socialLimits.momentCommentMaxChars }) });

export const ChannelFeed = Type.Union([Type.Literal('following'), Type.Literal('friends-liked'), Type.Literal('recommended')]);
export type ChannelFeed = Static<typeof ChannelFeed>;

/** Share a channel post into a chat (as a card message) or into my Moments (as a link card). */
export const ShareChannelPostBody = Type.Union([
  Obj({ to: Type.Literal('chat'), conversationId: Id, clientMsgId: Type.String({ minLength: 1, maxLength: 64 }) }),
  Obj({
    to: Type.Literal('moments'),
    text: Type.Optional(Type.String({ maxLength: socialLimits.momentTextMaxChars })),
    visibility: Type.Optional(MomentVisibility),
    audience: Type.Optional(Audience),
  }),
]);
export type ShareChannelPostBody = Static<typeof ShareChannelPostBody>;

/** Proof of influence for creator verification: at least one link, follower count or document. */
export const VerificationBody = Obj({
  links: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://' }), { maxItems: socialLimits.verificationLinksMax })),
  followerCounts: Type.Optional(
    Type.Array(Obj({ platform: Type.String({ minLength: 1, maxLength: 40 }), count: Type.Integer({ minimum: 0, maximum: 10_000_000_000 }) }), {
      maxItems: socialLimits.verificationPlatformsMax,
    }),
  ),
  documentMediaIds: Type.Optional(Type.Array(Id, { maxItems: socialLimits.verificationDocumentsMax })),
  statement: Type.Optional(Type.String({ maxLength: socialLimits.verificationStatementMaxChars })),
});
export type VerificationBody = Static<typeof VerificationBody>;

export const VerificationStatus = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]);

export const VerificationDecisionBody = Obj({
  approve: Type.Boolean(),
  note: Type.Optional(Type.String({ maxLength: socialLimits.verificationNoteMaxChars })),
});

/** Two to four variants of a post's caption and/or cover; the audience is split among them. */
export const ExperimentBody = Obj({
  variants: Type.Array(Obj({ caption: Type.Optional(Type.String({ maxLength: socialLimits.channelCaptionMaxChars })), coverMediaId: Type.Optional(Id) }), {
    minItems: socialLimits.experimentVariantsMin,
    maxItems: socialLimits.experimentVariantsMax,
  }),
});
export type ExperimentBody = Static<typeof ExperimentBody>;

export const PromoteBody = Obj({ variantId: Id });

/** An impression of a post by the member; `completed` once they watched (or opened) it to the end. */
export const ChannelViewBody = Obj({ completed: Type.Optional(Type.Boolean()) });
