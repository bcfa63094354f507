/**
 * Inbox events: each has a per-member sequence number (from 1). The WebSocket sends
 * `{"type":"event","event":{seq,type,…}}`; GET /api/v1/sync returns the same events.
 */
export type InboxEventType =
  | 'message.new'
  | 'message.recalled'
  | 'conversation.updated'
  | 'conversation.removed'
  | 'friend_request.received'
  | 'friend_request.accepted'
  | 'contact.updated'
  | 'contact.removed'
  | 'session.revoked'
  | 'account.updated'
  | 'moment.liked'
  | 'moment.commented'
  | 'official.broadcast'
  | 'official.message'
  | 'channel.verification'
  | 'merchant.payment'
  | 'merchant.refund';

/** Client → server WebSocket frames. */
export type ClientFrame =
  | { type: 'hello'; token: string; afterSeq?: number }
  | { type: 'ping'; id?: string }
  | {
      type: 'send';
      conversationId: string;
      message: Record<string, unknown> & { clientMsgId: string; type: string };
    };

/** Server → client WebSocket frames. */
export type ServerFrame =
  | { type: 'ready'; lastSeq: number }
  | { type: 'event'; event: { seq: number; type: InboxEventType } & Record<string, unknown> }
  | { type: 'pong'; id?: string }
  | { type: 'ack'; clientMsgId: string; message: Record<string, unknown> }
  | { type: 'error'; clientMsgId?: string; error: { code: string; message: string } };
