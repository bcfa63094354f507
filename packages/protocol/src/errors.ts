/**
 * Every error a client can see: a stable code, an HTTP status and a default message.
 * Clients branch on `code`; people read `message`. Add a row here before throwing a new code.
 */
export const errorTable = {
  VALIDATION_FAILED: { status: 400, message: 'The request does not match its schema.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'This content type is not accepted here.' },
  NOT_FOUND: { status: 404, message: 'Nothing is here.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; slow down and try again later.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The server is shutting down or overloaded.' },

  AUTH_REQUIRED: { status: 401, message: 'Sign in first: send Authorization: Bearer <token>.' },
  AUTH_INVALID_TOKEN: { status: 401, message: 'This session token is unknown, expired or revoked.' },
  AUTH_INVALID_CREDENTIALS: { status: 401, message: 'Wrong Plaza ID or password.' },
  AUTH_TOO_MANY_ATTEMPTS: { status: 429, message: 'Too many failed sign-ins; wait a few minutes.' },
  AUTH_FORBIDDEN: { status: 403, message: 'You may not do this.' },
  AUTH_OPERATOR_ONLY: { status: 403, message: 'Only an operator of this Plaza may do this.' },
  OPERATOR_SELF_REVOKE: { status: 409, message: 'You cannot remove yourself as operator; ask another operator.' },

  ACCOUNTS_HANDLE_TAKEN: { status: 409, message: 'This Plaza ID is already taken.' },
  ACCOUNTS_INVALID_HANDLE: {
    status: 400,
    message: 'A Plaza ID has 6–20 letters, digits, _ or -, and starts with a letter.',
  },
  ACCOUNTS_WEAK_PASSWORD: { status: 400, message: 'Choose a password of at least 8 characters.' },
  ACCOUNTS_NOT_FOUND: { status: 404, message: 'No member with this ID.' },
  ACCOUNTS_SESSION_NOT_FOUND: { status: 404, message: 'No such device session.' },
  ACCOUNTS_QR_LOGIN_NOT_FOUND: { status: 404, message: 'This login code is unknown or expired.' },
  ACCOUNTS_QR_LOGIN_STATE: { status: 409, message: 'This login code cannot do that now.' },

  CONTACTS_SELF: { status: 400, message: 'You cannot add yourself.' },
  CONTACTS_ALREADY_FRIENDS: { status: 409, message: 'You are already friends.' },
  CONTACTS_REQUEST_NOT_FOUND: { status: 404, message: 'No such friend request.' },
  CONTACTS_REQUEST_CLOSED: { status: 409, message: 'This friend request was already answered.' },
  CONTACTS_REQUEST_REFUSED: { status: 403, message: 'This member does not accept your requests.' },
  CONTACTS_NOT_A_CONTACT: { status: 404, message: 'This member is not in your contacts.' },

  CHAT_CONVERSATION_NOT_FOUND: { status: 404, message: 'No such conversation.' },
  CHAT_NOT_A_MEMBER: { status: 403, message: 'You are not a member of this conversation.' },
  CHAT_NOT_FRIENDS: { status: 403, message: 'You can only chat 1:1 with friends.' },
  CHAT_BLOCKED: { status: 403, message: 'This member does not accept your messages.' },
  CHAT_NOT_ADMIN: { status: 403, message: 'Only the group owner or an admin may do this.' },
  CHAT_NOT_OWNER: { status: 403, message: 'Only the group owner may do this.' },
  CHAT_GROUP_FULL: { status: 409, message: 'The group has reached its member limit.' },
  CHAT_MESSAGE_NOT_FOUND: { status: 404, message: 'No such message.' },
  CHAT_RECALL_EXPIRED: { status: 409, message: 'Messages can only be recalled within 2 minutes.' },
  CHAT_RECALL_FORBIDDEN: { status: 403, message: 'Only the sender may recall a message.' },
  CHAT_MENTION_ALL_FORBIDDEN: { status: 403, message: 'Only the owner or admins may mention everyone.' },
  CHAT_INVALID_MESSAGE: { status: 400, message: 'This message is not valid.' },
  CHAT_INVITE_NOT_FOUND: { status: 404, message: 'This group invite is unknown or has expired.' },
  CHAT_OWNER_CANNOT_LEAVE: { status: 409, message: 'Transfer ownership before leaving the group.' },

  MEDIA_NOT_FOUND: { status: 404, message: 'No such media.' },
  MEDIA_TOO_LARGE: { status: 413, message: 'This file is larger than allowed.' },
  MEDIA_TYPE_NOT_ALLOWED: { status: 415, message: 'This kind of file is not allowed here.' },
  MEDIA_CONTENT_MISMATCH: { status: 400, message: 'The file content does not match its declared kind.' },
  MEDIA_FORBIDDEN: { status: 403, message: 'You may not use or see this media.' },
  MEDIA_VIDEO_TOO_LONG: { status: 400, message: 'This video is longer than allowed (1 minute by default).' },
  MEDIA_VIDEO_UNREADABLE: { status: 400, message: 'The length of this video could not be read; upload an MP4, MOV or WebM file.' },
  // Social
  MOMENTS_POST_NOT_FOUND: { status: 404, message: 'No such Moments post, or you may not see it.' },
  MOMENTS_COMMENT_NOT_FOUND: { status: 404, message: 'No such comment, or you may not see it.' },
  MOMENTS_INVALID_POST: { status: 400, message: 'A post has text, up to 9 photos, one video or one link, and not two of these kinds.' },
  MOMENTS_VIDEO_TOO_LONG: { status: 400, message: 'A Moments video is at most 1 minute long.' },
  MOMENTS_FORBIDDEN: { status: 403, message: 'Only the author may do this.' },
  CHANNELS_NOT_FOUND: { status: 404, message: 'No such channel.' },
  CHANNELS_ALREADY_OPEN: { status: 409, message: 'You already have a channel.' },
  CHANNELS_NO_CHANNEL: { status: 409, message: 'Open a channel before posting.' },
  CHANNELS_POST_NOT_FOUND: { status: 404, message: 'No such channel post.' },
  CHANNELS_INVALID_POST: { status: 400, message: 'A channel post is one video up to 1 minute or 1 to 9 photos.' },
  CHANNELS_FORBIDDEN: { status: 403, message: 'Only the channel owner may do this.' },
  CHANNELS_SELF_FOLLOW: { status: 400, message: 'You cannot follow your own channel.' },

  // Wallet
  WALLET_IDEMPOTENCY_KEY_REQUIRED: { status: 400, message: 'Send an Idempotency-Key header with every request that moves money.' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: 'This Idempotency-Key was already used with a different request.' },
  WALLET_INSUFFICIENT_FUNDS: { status: 409, message: 'Your available balance is too low.' },
  WALLET_INVALID_AMOUNT: { status: 400, message: 'The amount must be a positive whole number of minor units within limits.' },
  WALLET_UNKNOWN_ASSET: { status: 400, message: 'This asset is not known here.' },
  WALLET_PIN_REQUIRED: { status: 409, message: 'Set a 6-digit payment PIN first.' },
  WALLET_PIN_WRONG: { status: 403, message: 'The payment PIN is wrong.' },
  WALLET_PIN_LOCKED: { status: 429, message: 'Too many wrong PINs; payments are locked for 15 minutes.' },
  WALLET_DAILY_LIMIT: { status: 409, message: 'This payment would pass your daily limit.' },
  WALLET_CARD_INVALID: { status: 400, message: 'This card number is not valid.' },
  WALLET_CARD_NOT_FOUND: { status: 404, message: 'No such bank card.' },
  WALLET_BANK_DECLINED: { status: 402, message: 'The bank declined this payment.' },
  WALLET_BANK_UNAVAILABLE: { status: 503, message: 'The bank is not answering; try again later.' },
  WALLET_TRANSFER_NOT_FOUND: { status: 404, message: 'No such transfer.' },
  WALLET_TRANSFER_CLOSED: { status: 409, message: 'This transfer was already accepted, returned or expired.' },
  WALLET_SELF_TRANSFER: { status: 400, message: 'You cannot send money to yourself.' },
  WALLET_GOLD_NOT_ACTIVATED: { status: 403, message: 'Activate your gold account first.' },
  WALLET_ID_NUMBER_INVALID: { status: 400, message: 'This ID number is not valid.' },
  WALLET_TERMS_REQUIRED: { status: 400, message: 'Accept the terms to continue.' },
  RED_PACKET_NOT_FOUND: { status: 404, message: 'No such red packet.' },
  RED_PACKET_ALREADY_CLAIMED: { status: 409, message: 'You already opened this red packet.' },
  RED_PACKET_EMPTY: { status: 409, message: 'All of this red packet has been taken.' },
  RED_PACKET_EXPIRED: { status: 409, message: 'This red packet has expired.' },
  RED_PACKET_NOT_FOR_YOU: { status: 403, message: 'This red packet is for someone else.' },
  RED_PACKET_INVALID: { status: 400, message: 'This red packet is not valid (amount, count or mode).' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorTable;

export interface ErrorBody {
  error: { code: ErrorCode | string; message: string; details?: unknown };
}
