import { type Static, Type } from 'typebox';

/** Objects drop unknown properties (removeAdditional) instead of failing, so older clients keep working. */
const Obj = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });

export const Id = Type.Union([Type.String({ pattern: '^[0-9]{1,15}$' }), Type.Integer({ minimum: 1 })]);
export const IdParam = Type.String({ pattern: '^[0-9]{1,15}$' });
export const SeqQuery = Type.Integer({ minimum: 0 });

export const Handle = Type.String({ minLength: 1, maxLength: 64 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });

// Accounts -------------------------------------------------------------------------------------
export const RegisterBody = Obj({
  handle: Handle,
  password: Password,
  displayName: Type.String({ minLength: 1, maxLength: 40 }),
  phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{5,15}$' })),
  deviceName: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
});
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Obj({
  handle: Handle,
  password: Password,
  deviceName: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
});
export type LoginBody = Static<typeof LoginBody>;

export const GrantOperatorBody = Obj({ handle: Handle });
export type GrantOperatorBody = Static<typeof GrantOperatorBody>;

export const RenameSessionBody = Obj({ deviceName: Type.String({ minLength: 1, maxLength: 60 }) });

export const UpdateProfileBody = Obj({
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  avatarMediaId: Type.Optional(Type.Union([Id, Type.Null()])),
  phone: Type.Optional(Type.Union([Type.String({ pattern: '^\\+?[0-9]{5,15}$' }), Type.Null()])),
  region: Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Null()])),
  phoneDiscoverable: Type.Optional(Type.Boolean()),
  handleDiscoverable: Type.Optional(Type.Boolean()),
});
export type UpdateProfileBody = Static<typeof UpdateProfileBody>;

export const ChangePasswordBody = Obj({ currentPassword: Password, newPassword: Password });

export const QrLoginCreateBody = Obj({ deviceName: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })) });
export const QrLoginPollQuery = Obj({ secret: Type.String({ minLength: 10, maxLength: 100 }) });

export const AccountSearchQuery = Obj({
  handle: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
});

// Contacts -------------------------------------------------------------------------------------
export const FriendRequestBody = Obj({
  handle: Type.Optional(Handle),
  accountId: Type.Optional(Id),
  message: Type.Optional(Type.String({ maxLength: 120 })),
});
export type FriendRequestBody = Static<typeof FriendRequestBody>;

export const UpdateContactBody = Obj({
  remark: Type.Optional(Type.String({ maxLength: 40 })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 20 })),
});
export type UpdateContactBody = Static<typeof UpdateContactBody>;

export const BlockBody = Obj({ accountId: Id });

// Chat -----------------------------------------------------------------------------------------
export const CreateConversationBody = Type.Union([
  Obj({ kind: Type.Literal('direct'), peerId: Id }),
  Obj({
    kind: Type.Literal('group'),
    title: Type.Optional(Type.String({ maxLength: 60 })),
    memberIds: Type.Array(Id, { maxItems: 499 }),
  }),
]);
export type CreateConversationBody = Static<typeof CreateConversationBody>;

export const UpdateConversationBody = Obj({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  notice: Type.Optional(Type.String({ maxLength: 2000 })),
});
export const MemberSettingsBody = Obj({ muted: Type.Optional(Type.Boolean()), pinned: Type.Optional(Type.Boolean()) });
export const AddMembersBody = Obj({ accountIds: Type.Array(Id, { minItems: 1, maxItems: 499 }) });
export const RoleBody = Obj({ role: Type.Union([Type.Literal('admin'), Type.Literal('member')]) });
export const TransferOwnerBody = Obj({ accountId: Id });
export const ReadBody = Obj({ seq: Type.Integer({ minimum: 0 }) });

const ClientMsgId = Type.String({ minLength: 1, maxLength: 64 });
const Mentions = Type.Optional(Type.Union([Type.Literal('all'), Type.Array(Id, { maxItems: 100 })]));
const QuoteRef = Type.Optional(Obj({ messageId: Id }));

export const SendMessageBody = Type.Union([
  Obj({ clientMsgId: ClientMsgId, type: Type.Literal('text'), text: Type.String({ minLength: 1, maxLength: 5000 }), mentions: Mentions, quote: QuoteRef }),
  Obj({ clientMsgId: ClientMsgId, type: Type.Literal('image'), mediaId: Id, quote: QuoteRef }),
  Obj({ clientMsgId: ClientMsgId, type: Type.Literal('voice'), mediaId: Id, durationMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 60000 })) }),
  Obj({ clientMsgId: ClientMsgId, type: Type.Literal('video'), mediaId: Id }),
  Obj({ clientMsgId: ClientMsgId, type: Type.Literal('file'), mediaId: Id }),
  Obj({
    clientMsgId: ClientMsgId,
    type: Type.Literal('location'),
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    address: Type.Optional(Type.String({ maxLength: 200 })),
  }),
  Obj({ clientMsgId: ClientMsgId, type: Type.Literal('contact_card'), accountId: Id }),
]);
export type SendMessageBody = Static<typeof SendMessageBody>;

export const MessagesQuery = Obj({
  afterSeq: Type.Optional(SeqQuery),
  beforeSeq: Type.Optional(SeqQuery),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const ForwardBody = Obj({
  messageIds: Type.Array(Id, { minItems: 1, maxItems: 100 }),
  fromConversationId: Id,
  toConversationIds: Type.Array(Id, { minItems: 1, maxItems: 9 }),
  mode: Type.Optional(Type.Union([Type.Literal('separate'), Type.Literal('combined')])),
  clientMsgId: ClientMsgId,
});
export type ForwardBody = Static<typeof ForwardBody>;

export const SyncQuery = Obj({
  afterSeq: Type.Optional(SeqQuery),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

export const PageQuery = Obj({
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
