import { type Conversation, type InboxEvent, type Message, PlazaApiError, connectRealtime, type RealtimeConnection } from '@plaza/client';
import { useEffect, useSyncExternalStore } from 'react';
import { api, clearAuth, getAuth } from './api';
import { type ChatMessage, keys, mergeMessages } from './queries';
import { queryClient } from './api';

const MAX_BACKOFF_MS = 30_000;

let connected = false;
const listeners = new Set<() => void>();
function setConnected(value: boolean) {
  connected = value;
  for (const listener of listeners) listener();
}

export function useRealtimeConnected(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => connected,
  );
}

/** The conversation currently on screen: new messages there do not count as unread. */
let openConversationId: string | null = null;
export function setOpenConversation(id: string | null) {
  openConversationId = id;
}

function seqKey(accountId: string) {
  return `plaza.lastSeq.${accountId}`;
}
function readLastSeq(accountId: string): number {
  const value = Number(localStorage.getItem(seqKey(accountId)) ?? '0');
  return Number.isFinite(value) && value >= 0 ? value : 0;
}
function writeLastSeq(accountId: string, seq: number) {
  if (seq > readLastSeq(accountId)) localStorage.setItem(seqKey(accountId), String(seq));
}

export function applyNewMessage(message: Message, myId: string, options: { patchList?: boolean } = {}) {
  queryClient.setQueryData<ChatMessage[]>(keys.messages(message.conversationId), (old) => (old ? mergeMessages(old, [message]) : old));
  // Replayed events (before `ready`) may already be counted in the server's unreadCount; the
  // list is refetched on ready instead of patched, so nothing is counted twice.
  if (options.patchList === false) return;
  let known = false;
  queryClient.setQueryData<Conversation[]>(keys.conversations, (old) => {
    if (!old) return old;
    return old.map((c) => {
      if (c.id !== message.conversationId) return c;
      known = true;
      const own = message.senderId === myId;
      const isOpen = openConversationId === c.id && document.visibilityState === 'visible';
      const mentioned =
        message.type === 'text' &&
        (message.content?.mentions === 'all' || (Array.isArray(message.content?.mentions) && message.content.mentions.includes(myId)));
      const newer = message.seq > (c.lastMessage?.seq ?? 0);
      return {
        ...c,
        lastMessage: newer ? message : c.lastMessage,
        lastMessageAt: newer ? message.createdAt : c.lastMessageAt,
        lastSeq: Math.max(c.lastSeq, message.seq),
        unreadCount: own || isOpen ? c.unreadCount : c.unreadCount + 1,
        mentionedMe: c.mentionedMe || (!own && !isOpen && mentioned),
      };
    });
  });
  if (!known) void queryClient.invalidateQueries({ queryKey: keys.conversations });
}

function handleEvent(event: InboxEvent, myId: string, live: boolean) {
  switch (event.type) {
    case 'message.new':
      if (event.message) applyNewMessage(event.message, myId, { patchList: live });
      break;
    case 'message.recalled': {
      const conversationId = String(event.conversationId ?? '');
      queryClient.setQueryData<ChatMessage[]>(keys.messages(conversationId), (old) =>
        old?.map((m) => (m.id === event.messageId ? { ...m, recalled: true, type: 'recalled', content: { ...m.content } } : m)),
      );
      void queryClient.invalidateQueries({ queryKey: keys.conversations });
      break;
    }
    case 'conversation.updated':
      void queryClient.invalidateQueries({ queryKey: keys.conversations });
      if (event.conversationId) void queryClient.invalidateQueries({ queryKey: keys.conversation(String(event.conversationId)) });
      break;
    case 'conversation.removed':
      queryClient.setQueryData<Conversation[]>(keys.conversations, (old) => old?.filter((c) => c.id !== event.conversationId));
      void queryClient.invalidateQueries({ queryKey: keys.conversations });
      break;
    case 'friend_request.received':
    case 'friend_request.accepted':
      void queryClient.invalidateQueries({ queryKey: keys.friendRequests });
      void queryClient.invalidateQueries({ queryKey: keys.contacts });
      void queryClient.invalidateQueries({ queryKey: keys.conversations });
      break;
    case 'contact.updated':
    case 'contact.removed':
      void queryClient.invalidateQueries({ queryKey: keys.contacts });
      break;
    case 'account.updated':
      void queryClient.invalidateQueries({ queryKey: keys.me });
      break;
    case 'official.broadcast':
    case 'official.message':
      void queryClient.invalidateQueries({ queryKey: ['official'] });
      break;
    case 'session.revoked':
      void queryClient.invalidateQueries({ queryKey: keys.sessions });
      void checkStillSignedIn();
      break;
    case 'merchant.payment':
    case 'merchant.refund':
      // The merchant screens listen for these (live payments with a sound, PIN confirmation).
      if (live) window.dispatchEvent(new CustomEvent('plaza:merchant-event', { detail: event }));
      void queryClient.invalidateQueries({ queryKey: ['merchants'] });
      void queryClient.invalidateQueries({ queryKey: ['wallet'] });
      break;
  }
}

async function checkStillSignedIn() {
  try {
    await api.me();
  } catch (error) {
    if (error instanceof PlazaApiError && error.status === 401) clearAuth();
  }
}

/** Keeps one WebSocket open while signed in; reconnects with backoff and resumes from lastSeq. */
export function useRealtime(token: string | null, accountId: string | undefined) {
  useEffect(() => {
    if (!token || !accountId) return;
    let stopped = false;
    let connection: RealtimeConnection | null = null;
    let attempt = 0;
    let live = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const open = () => {
      if (stopped) return;
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
      try {
        connection = connectRealtime(url, token, readLastSeq(accountId), {
          onEvent(event) {
            handleEvent(event, accountId, live);
            if (typeof event.seq === 'number') writeLastSeq(accountId, event.seq);
          },
          onReady(lastSeq) {
            attempt = 0;
            live = true;
            setConnected(true);
            // Anything that changed while we were away but is not an inbox event (e.g. reads).
            if (lastSeq === 0 || readLastSeq(accountId) === 0) writeLastSeq(accountId, lastSeq);
            void queryClient.invalidateQueries({ queryKey: keys.conversations });
          },
          onClose(code) {
            live = false;
            setConnected(false);
            connection = null;
            if (stopped) return;
            // A refused hello looks like any other close; ask the API whether we are still signed in.
            if (code === 4001 || code === 4401 || attempt >= 1) void checkStillSignedIn();
            const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
            attempt += 1;
            timer = setTimeout(open, delay);
          },
        });
      } catch {
        timer = setTimeout(open, 2000);
      }
    };
    open();
    const onOnline = () => {
      if (!connection) {
        clearTimeout(timer);
        attempt = 0;
        open();
      }
    };
    window.addEventListener('online', onOnline);
    return () => {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener('online', onOnline);
      connection?.close();
      setConnected(false);
    };
  }, [token, accountId]);
}

export function currentAccountId(): string {
  return getAuth().account?.id ?? '';
}
