/**
 * A small, dependency-free typed client for the Plaza HTTP API and realtime WebSocket.
 * Works in browsers and in Node 20 (pass a WebSocket constructor, e.g. from `ws`, since
 * Node 20 has no global WebSocket).
 */

export type Id = string;

export interface Account {
  id: Id;
  handle: string;
  displayName: string;
  avatarUrl: string | null;
  region?: string | null;
  phone?: string | null;
  phoneDiscoverable?: boolean;
  handleDiscoverable?: boolean;
  /** Present on the member's own account: whether they operate this Plaza. */
  isOperator?: boolean;
}

export interface SessionInfo {
  id: Id;
  deviceName: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string | null;
  current: boolean;
}

export interface AuthResult {
  token: string;
  session: { id: Id };
  account: Account;
}

export type QrLoginStatus = 'pending' | 'scanned' | 'confirmed' | 'expired' | 'consumed';

export interface QrLogin {
  id: Id;
  secret: string;
  qrText: string;
  expiresAt: string;
}

export interface QrLoginState {
  status: QrLoginStatus;
  account?: Account;
  token?: string;
}

export interface FriendRequest {
  id: Id;
  status: 'pending' | 'accepted' | 'declined' | string;
  message: string | null;
  from: Account;
  to: Account;
  direction: 'incoming' | 'outgoing';
  createdAt: string;
}

export interface Contact {
  account: Account;
  remark: string | null;
  tags: string[];
  since: string;
}

export interface Media {
  id: Id;
  url: string;
  thumbUrl: string | null;
  mime: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  fileName: string | null;
}

export type MessageType = 'text' | 'image' | 'voice' | 'video' | 'file' | 'location' | 'contact_card' | 'system' | 'chat_history' | 'recalled';

export interface QuoteInfo {
  messageId: Id;
  senderId: Id;
  senderName: string;
  preview: string;
}

export interface MessageContent {
  text?: string;
  mentions?: Id[] | 'all';
  quote?: QuoteInfo;
  media?: Media;
  latitude?: number;
  longitude?: number;
  name?: string | null;
  address?: string | null;
  account?: Account;
  title?: string;
  items?: { senderName: string; type: MessageType; preview: string; createdAt: string }[];
}

export interface Message {
  id: Id;
  seq: number;
  conversationId: Id;
  senderId: Id | null;
  clientMsgId: string | null;
  type: MessageType;
  text?: string | null;
  content: MessageContent;
  createdAt: string;
  recalled: boolean;
  sender?: Account;
  /** Present on conversation.lastMessage: the sender's name and a server-made preview. */
  senderName?: string;
  preview?: string;
}

export type MemberRole = 'owner' | 'admin' | 'member';

export interface Conversation {
  id: Id;
  kind: 'direct' | 'group';
  title: string | null;
  notice: string | null;
  ownerId: Id | null;
  memberCount: number;
  lastSeq: number;
  lastMessage: Message | null;
  unreadCount: number;
  mentionedMe: boolean;
  muted: boolean;
  pinned: boolean;
  role: MemberRole;
  peer?: Account | null;
  createdAt: string;
  lastMessageAt: string | null;
  /** Optional: a few member avatars for group grid avatars, if the server sends them. */
  memberPreview?: Account[];
}

export interface Member {
  account: Account;
  role: MemberRole;
  remark?: string | null;
}

export interface GroupInvite {
  code: string;
  qrText: string;
  expiresAt: string;
}

export interface GroupInvitePreview {
  code: string;
  conversationId: Id;
  title: string | null;
  memberCount: number;
  expiresAt: string;
}

export type SendMessageBody =
  | { type: 'text'; text: string; mentions?: Id[] | 'all'; quote?: { messageId: Id } }
  | { type: 'image' | 'video' | 'file'; mediaId: Id }
  | { type: 'voice'; mediaId: Id; durationMs: number }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contact_card'; accountId: Id };

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
  | 'official.broadcast'
  | 'official.message'
  | 'channel.verification'
  | 'merchant.payment'
  | 'merchant.refund';

export interface InboxEvent {
  seq: number;
  type: InboxEventType;
  message?: Message;
  conversationId?: Id;
  messageId?: Id;
  recalledBy?: Id;
  request?: FriendRequest;
  contact?: Contact;
  [key: string]: unknown;
}

export type MediaKind = 'image' | 'voice' | 'video' | 'file' | 'avatar';

export class PlazaApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'PlazaApiError';
    this.status = status;
    this.code = code;
  }
}

type Query = Record<string, string | number | undefined>;

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const enc = encodeURIComponent;

export class PlazaClient {
  baseUrl: string;
  token: string | null;

  constructor(options: { baseUrl?: string; token?: string | null } = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
    this.token = options.token ?? null;
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}${queryString(query)}`, { method, headers, body: payload });
    } catch (error) {
      throw new PlazaApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : 'Network error');
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
      throw new PlazaApiError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? response.statusText);
    }
    return data as T;
  }

  // Accounts and sessions ----------------------------------------------------------------------
  register(body: { handle: string; password: string; displayName: string; deviceName?: string }) {
    return this.request<AuthResult>('POST', '/api/v1/accounts', body);
  }
  login(body: { handle: string; password: string; deviceName?: string }) {
    return this.request<AuthResult>('POST', '/api/v1/sessions', body);
  }
  listSessions() {
    return this.request<{ sessions: SessionInfo[] }>('GET', '/api/v1/sessions');
  }
  renameSession(id: Id, deviceName: string) {
    return this.request<unknown>('PATCH', `/api/v1/sessions/${enc(id)}`, { deviceName });
  }
  /** `id` may be a session id, `current` or `others`. */
  revokeSession(id: Id | 'current' | 'others') {
    return this.request<void>('DELETE', `/api/v1/sessions/${enc(id)}`);
  }
  me() {
    return this.request<{ account: Account }>('GET', '/api/v1/me');
  }
  updateMe(body: {
    displayName?: string;
    avatarMediaId?: Id | null;
    phone?: string | null;
    region?: string | null;
    phoneDiscoverable?: boolean;
    handleDiscoverable?: boolean;
  }) {
    return this.request<{ account: Account }>('PATCH', '/api/v1/me', body);
  }
  changePassword(currentPassword: string, newPassword: string) {
    return this.request<unknown>('POST', '/api/v1/me/password', { currentPassword, newPassword });
  }
  searchAccounts(query: { handle?: string; phone?: string }) {
    return this.request<{ accounts: Account[] }>('GET', '/api/v1/accounts/search', undefined, query);
  }
  getAccount(id: Id) {
    return this.request<{ account: Account }>('GET', `/api/v1/accounts/${enc(id)}`);
  }

  // QR login -----------------------------------------------------------------------------------
  createQrLogin(deviceName?: string) {
    return this.request<{ qrLogin: QrLogin }>('POST', '/api/v1/qr-logins', deviceName ? { deviceName } : {});
  }
  pollQrLogin(id: Id, secret: string) {
    return this.request<{ qrLogin: QrLoginState }>('GET', `/api/v1/qr-logins/${enc(id)}`, undefined, { secret });
  }
  scanQrLogin(id: Id) {
    return this.request<{ qrLogin?: QrLoginState & { deviceName?: string } }>('POST', `/api/v1/qr-logins/${enc(id)}/scan`, {});
  }
  confirmQrLogin(id: Id) {
    return this.request<unknown>('POST', `/api/v1/qr-logins/${enc(id)}/confirm`, {});
  }
  cancelQrLogin(id: Id) {
    return this.request<unknown>('POST', `/api/v1/qr-logins/${enc(id)}/cancel`, {});
  }

  // Contacts -----------------------------------------------------------------------------------
  sendFriendRequest(body: { handle?: string; accountId?: Id; message?: string }) {
    return this.request<{ request: FriendRequest }>('POST', '/api/v1/friend-requests', body);
  }
  listFriendRequests() {
    return this.request<{ requests: FriendRequest[] }>('GET', '/api/v1/friend-requests');
  }
  acceptFriendRequest(id: Id) {
    return this.request<unknown>('POST', `/api/v1/friend-requests/${enc(id)}/accept`, {});
  }
  declineFriendRequest(id: Id) {
    return this.request<unknown>('POST', `/api/v1/friend-requests/${enc(id)}/decline`, {});
  }
  listContacts() {
    return this.request<{ contacts: Contact[] }>('GET', '/api/v1/contacts');
  }
  getContact(accountId: Id) {
    return this.request<{ contact: Contact }>('GET', `/api/v1/contacts/${enc(accountId)}`);
  }
  updateContact(accountId: Id, body: { remark?: string | null; tags?: string[] }) {
    return this.request<{ contact: Contact }>('PATCH', `/api/v1/contacts/${enc(accountId)}`, body);
  }
  deleteContact(accountId: Id) {
    return this.request<void>('DELETE', `/api/v1/contacts/${enc(accountId)}`);
  }
  listBlocks() {
    return this.request<{ accounts: Account[] }>('GET', '/api/v1/blocks');
  }
  block(accountId: Id) {
    return this.request<unknown>('POST', '/api/v1/blocks', { accountId });
  }
  unblock(accountId: Id) {
    return this.request<void>('DELETE', `/api/v1/blocks/${enc(accountId)}`);
  }

  // Conversations ------------------------------------------------------------------------------
  createDirect(peerId: Id) {
    return this.request<{ conversation: Conversation }>('POST', '/api/v1/conversations', { kind: 'direct', peerId });
  }
  createGroup(memberIds: Id[], title?: string) {
    return this.request<{ conversation: Conversation }>('POST', '/api/v1/conversations', {
      kind: 'group',
      memberIds,
      ...(title ? { title } : {}),
    });
  }
  listConversations() {
    return this.request<{ conversations: Conversation[] }>('GET', '/api/v1/conversations');
  }
  getConversation(id: Id) {
    return this.request<{ conversation: Conversation; members: Member[] }>('GET', `/api/v1/conversations/${enc(id)}`);
  }
  updateConversation(id: Id, body: { title?: string; notice?: string }) {
    return this.request<{ conversation: Conversation }>('PATCH', `/api/v1/conversations/${enc(id)}`, body);
  }
  updateConversationSettings(id: Id, body: { muted?: boolean; pinned?: boolean }) {
    return this.request<unknown>('PATCH', `/api/v1/conversations/${enc(id)}/settings`, body);
  }
  addMembers(id: Id, accountIds: Id[]) {
    return this.request<unknown>('POST', `/api/v1/conversations/${enc(id)}/members`, { accountIds });
  }
  removeMember(id: Id, accountId: Id) {
    return this.request<void>('DELETE', `/api/v1/conversations/${enc(id)}/members/${enc(accountId)}`);
  }
  leaveConversation(id: Id) {
    return this.request<unknown>('POST', `/api/v1/conversations/${enc(id)}/leave`, {});
  }
  setMemberRole(id: Id, accountId: Id, role: 'admin' | 'member') {
    return this.request<unknown>('PUT', `/api/v1/conversations/${enc(id)}/members/${enc(accountId)}/role`, { role });
  }
  transferOwner(id: Id, accountId: Id) {
    return this.request<unknown>('POST', `/api/v1/conversations/${enc(id)}/owner`, { accountId });
  }
  markRead(id: Id, seq: number) {
    return this.request<unknown>('POST', `/api/v1/conversations/${enc(id)}/read`, { seq });
  }
  createInvite(id: Id) {
    return this.request<{ invite: GroupInvite }>('POST', `/api/v1/conversations/${enc(id)}/invites`, {});
  }
  getInvite(code: string) {
    return this.request<{ invite: GroupInvitePreview }>('GET', `/api/v1/group-invites/${enc(code)}`);
  }
  joinInvite(code: string) {
    return this.request<{ conversation: Conversation }>('POST', `/api/v1/group-invites/${enc(code)}/join`, {});
  }

  // Messages -----------------------------------------------------------------------------------
  sendMessage(conversationId: Id, clientMsgId: string, body: SendMessageBody) {
    return this.request<{ message: Message }>('POST', `/api/v1/conversations/${enc(conversationId)}/messages`, {
      clientMsgId,
      ...body,
    });
  }
  listMessages(conversationId: Id, query: { afterSeq?: number; beforeSeq?: number; limit?: number } = {}) {
    return this.request<{ messages: Message[] }>('GET', `/api/v1/conversations/${enc(conversationId)}/messages`, undefined, query);
  }
  recallMessage(conversationId: Id, messageId: Id) {
    return this.request<{ message: Message }>('POST', `/api/v1/conversations/${enc(conversationId)}/messages/${enc(messageId)}/recall`, {});
  }
  deleteMessage(conversationId: Id, messageId: Id) {
    return this.request<void>('DELETE', `/api/v1/conversations/${enc(conversationId)}/messages/${enc(messageId)}`);
  }
  forwardMessages(body: { fromConversationId: Id; messageIds: Id[]; toConversationIds: Id[]; mode: 'separate' | 'combined'; clientMsgId: string }) {
    return this.request<{ messages: Message[] }>('POST', '/api/v1/messages/forward', body);
  }

  // Media and sync -----------------------------------------------------------------------------
  uploadMedia(kind: MediaKind, file: Blob, fileName?: string) {
    const form = new FormData();
    // The server reads `kind` before the file part, so it must be appended first.
    form.append('kind', kind);
    form.append('file', file, fileName ?? (file instanceof File ? file.name : 'upload'));
    return this.request<{ media: Media }>('POST', '/api/v1/media', form);
  }
  /** Sets the poster frame of my video upload from a still image. */
  setVideoPoster(mediaId: string, image: Blob) {
    const form = new FormData();
    form.append('file', image, 'poster');
    return this.request<{ media: Media }>('PUT', `/api/v1/media/${encodeURIComponent(mediaId)}/poster`, form);
  }
  /** Fetches a media URL with the bearer token (media URLs require auth). */
  async fetchMedia(url: string): Promise<Blob> {
    const absolute = /^https?:/.test(url) ? url : `${this.baseUrl}${url}`;
    const response = await fetch(absolute, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
    if (!response.ok) throw new PlazaApiError(response.status, 'MEDIA_FETCH_FAILED', response.statusText);
    return response.blob();
  }
  sync(afterSeq: number, limit?: number) {
    return this.request<{ events: InboxEvent[]; nextSeq: number }>('GET', '/api/v1/sync', undefined, { afterSeq, limit });
  }
}

export interface RealtimeConnection {
  close(): void;
  readonly socket: WebSocket;
}

export interface RealtimeHandlers {
  onEvent: (event: InboxEvent) => void;
  onReady?: (lastSeq: number) => void;
  onClose?: (code: number) => void;
  onOpen?: () => void;
}

/** The subset of the WebSocket constructor we need, so `ws` from npm fits too. */
export type WebSocketConstructor = new (url: string) => WebSocket;

const PING_INTERVAL_MS = 25_000;

/**
 * Opens one realtime connection: sends hello with `afterSeq`, forwards events, pings every 25 s.
 * Reconnection is left to the caller, which knows the latest seq it has processed.
 */
export function connectRealtime(
  url: string,
  token: string,
  afterSeq: number,
  handlers: RealtimeHandlers | ((event: InboxEvent) => void),
  WebSocketImpl?: WebSocketConstructor,
): RealtimeConnection {
  const h: RealtimeHandlers = typeof handlers === 'function' ? { onEvent: handlers } : handlers;
  const Impl = WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Impl) throw new Error('No WebSocket implementation: pass one as the last argument');
  const socket = new Impl(url);
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: 'hello', token, afterSeq }));
    pingTimer = setInterval(() => {
      if (socket.readyState === 1) socket.send(JSON.stringify({ type: 'ping' }));
    }, PING_INTERVAL_MS);
    h.onOpen?.();
  };
  socket.onmessage = (message: MessageEvent) => {
    let frame: { type?: string; event?: InboxEvent; lastSeq?: number };
    try {
      frame = JSON.parse(String(message.data));
    } catch {
      return;
    }
    if (frame.type === 'event' && frame.event) h.onEvent(frame.event);
    else if (frame.type === 'ready') h.onReady?.(frame.lastSeq ?? 0);
  };
  socket.onclose = (event: CloseEvent) => {
    if (pingTimer) clearInterval(pingTimer);
    h.onClose?.(event.code);
  };
  socket.onerror = () => {
    // onclose follows an error; reconnection is decided there.
  };
  return {
    socket,
    close() {
      if (pingTimer) clearInterval(pingTimer);
      socket.close();
    },
  };
}
