import type { MediaKind, Message, SendMessageBody } from '@plaza/client';
import { api, getAuth, newClientMsgId, queryClient } from './api';
import { type ChatMessage, keys, mergeMessages } from './queries';
import { applyNewMessage } from './realtime';

/** What to send: a ready body, or a file to upload first (kept so a retry can upload again). */
export type Outgoing = { body: SendMessageBody } | { upload: { kind: MediaKind; file: Blob; fileName: string; durationMs?: number } };

const pending = new Map<string, { conversationId: string; outgoing: Outgoing }>();

function localEcho(conversationId: string, clientMsgId: string, outgoing: Outgoing, status: 'sending' | 'failed'): ChatMessage {
  const me = getAuth().account;
  const base = {
    id: `local-${clientMsgId}`,
    seq: Number.MAX_SAFE_INTEGER,
    conversationId,
    senderId: me?.id ?? null,
    clientMsgId,
    createdAt: new Date().toISOString(),
    recalled: false,
    localStatus: status,
  };
  if ('body' in outgoing) {
    const body = outgoing.body;
    if (body.type === 'text') return { ...base, type: 'text', text: body.text, content: { text: body.text } };
    if (body.type === 'location')
      return { ...base, type: 'location', content: { latitude: body.latitude, longitude: body.longitude, name: body.name ?? null } };
    return { ...base, type: body.type, content: {} };
  }
  const { kind, file, fileName, durationMs } = outgoing.upload;
  const previewUrl = kind === 'image' ? URL.createObjectURL(file) : '';
  return {
    ...base,
    type: kind === 'avatar' ? 'image' : kind,
    content: {
      media: {
        id: '',
        url: previewUrl,
        thumbUrl: previewUrl,
        mime: file.type,
        sizeBytes: file.size,
        width: null,
        height: null,
        durationMs: durationMs ?? null,
        fileName,
      },
    },
  };
}

function putLocal(message: ChatMessage) {
  queryClient.setQueryData<ChatMessage[]>(keys.messages(message.conversationId), (old) => {
    const list = old ?? [];
    const without = list.filter((m) => !(m.localStatus && m.clientMsgId === message.clientMsgId));
    return mergeMessages(without, [message]);
  });
}

async function deliver(conversationId: string, clientMsgId: string, outgoing: Outgoing): Promise<Message> {
  let body: SendMessageBody;
  if ('body' in outgoing) body = outgoing.body;
  else {
    const { kind, file, fileName, durationMs } = outgoing.upload;
    const { media } = await api.uploadMedia(kind, file, fileName);
    if (kind === 'voice') body = { type: 'voice', mediaId: media.id, durationMs: durationMs ?? 0 };
    else body = { type: kind === 'image' ? 'image' : kind === 'video' ? 'video' : 'file', mediaId: media.id };
  }
  const { message } = await api.sendMessage(conversationId, clientMsgId, body);
  return message;
}

async function attempt(conversationId: string, clientMsgId: string, outgoing: Outgoing) {
  putLocal(localEcho(conversationId, clientMsgId, outgoing, 'sending'));
  try {
    const message = await deliver(conversationId, clientMsgId, outgoing);
    pending.delete(clientMsgId);
    queryClient.setQueryData<ChatMessage[]>(keys.messages(conversationId), (old) =>
      mergeMessages(
        (old ?? []).filter((m) => !(m.localStatus && m.clientMsgId === clientMsgId)),
        [message],
      ),
    );
    applyNewMessage(message, getAuth().account?.id ?? '');
  } catch {
    putLocal(localEcho(conversationId, clientMsgId, outgoing, 'failed'));
  }
}

export function sendOutgoing(conversationId: string, outgoing: Outgoing) {
  const clientMsgId = newClientMsgId();
  pending.set(clientMsgId, { conversationId, outgoing });
  void attempt(conversationId, clientMsgId, outgoing);
}

/** Re-sends with the same clientMsgId, so the server never stores the message twice. */
export function retrySend(clientMsgId: string) {
  const item = pending.get(clientMsgId);
  if (item) void attempt(item.conversationId, clientMsgId, item.outgoing);
}
