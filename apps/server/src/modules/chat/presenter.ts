import type { Selectable } from 'kysely';
import type { Database } from '../../db/schema.js';
import { idString, toIso } from '../../lib/ids.js';

export type MessageRow = Selectable<Database['messages']>;
export type ConversationRow = Selectable<Database['conversations']>;

/** One JSON shape per message, used by HTTP, WebSocket and sync alike. */
export function presentMessage(row: MessageRow) {
  const content = JSON.parse(row.body) as Record<string, unknown>;
  return {
    id: idString(row.id),
    seq: row.seq,
    conversationId: idString(row.conversation_id),
    senderId: idString(row.sender_id),
    clientMsgId: row.client_msg_id,
    type: row.type,
    ...(row.type === 'text' ? { text: content.text as string } : {}),
    content,
    createdAt: toIso(row.created_at),
    recalled: row.recalled_at !== null,
  };
}

export type PresentedMessage = ReturnType<typeof presentMessage>;

/** A short text for list rows, notifications and quotes ("[Photo]", the text, …). */
export function previewOf(type: string, content: Record<string, unknown>): string {
  switch (type) {
    case 'text':
      return String(content.text ?? '').slice(0, 100);
    case 'image':
      return '[Photo]';
    case 'voice':
      return '[Voice]';
    case 'video':
      return '[Video]';
    case 'file':
      return `[File] ${String((content.media as { fileName?: string } | undefined)?.fileName ?? '')}`.trim();
    case 'location':
      return `[Location] ${String(content.name ?? '')}`.trim();
    case 'contact_card':
      return '[Contact Card]';
    case 'chat_history':
      return '[Chat History]';
    case 'system':
      return String(content.text ?? '');
    case 'recalled':
      return '[Recalled]';
    case 'channel_post':
      return `[Channels] ${String(content.channelName ?? '')}`.trim();
    default:
      return `[${type}]`;
  }
}
