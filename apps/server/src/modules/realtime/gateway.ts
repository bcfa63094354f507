import type { WebSocket } from 'ws';
import { SyncQuery } from '@plaza/protocol';
import type { AppContext } from '../../context.js';
import { type App, member } from '../../http.js';
import { AppError } from '../../lib/errors.js';
import { limits } from '../../limits.js';
import type { AccountsService } from '../accounts/index.js';
import type { ChatService } from '../chat/index.js';
import { DELIVERIES_TOPIC, type InboxService } from '../inbox/index.js';

const HELLO_TIMEOUT_MS = 10_000;
const CATCH_UP_PAGE = 500;

function eventFrame(seq: number, body: string): string {
  // body is `{"type":…}`: splice the seq in without parsing or re-serialising the event.
  return `{"type":"event","event":{"seq":${seq},${body.slice(1)}}`;
}

/**
 * One device's socket. Events reach it in inbox order exactly once: while it catches up from the
 * database, live events wait in a buffer; a gap in live events (another node's commit arriving
 * late) is filled from the database before anything newer is sent.
 */
class Connection {
  lastSentSeq = 0;
  private catchingUp = true;
  private buffered: { seq: number; body: string }[] = [];

  constructor(
    readonly socket: WebSocket,
    readonly accountId: number,
    readonly sessionId: number,
    private readonly inbox: InboxService,
  ) {}

  deliver(seq: number, body: string): void {
    if (this.catchingUp) {
      this.buffered.push({ seq, body });
      return;
    }
    if (seq <= this.lastSentSeq) return;
    if (seq === this.lastSentSeq + 1) {
      this.send(eventFrame(seq, body));
      return;
    }
    this.buffered.push({ seq, body });
    void this.catchUp();
  }

  async catchUp(): Promise<void> {
    this.catchingUp = true;
    try {
      for (;;) {
        const events = await this.inbox.readEvents(this.accountId, this.lastSentSeq, CATCH_UP_PAGE);
        for (const { seq, event } of events) {
          if (seq !== this.lastSentSeq + 1) break;
          this.send(JSON.stringify({ type: 'event', event }));
        }
        if (events.length === CATCH_UP_PAGE) continue;
        this.buffered.sort((a, b) => a.seq - b.seq);
        const pending = this.buffered;
        this.buffered = [];
        let gap = false;
        for (const item of pending) {
          if (item.seq <= this.lastSentSeq) continue;
          if (item.seq !== this.lastSentSeq + 1) {
            gap = true;
            break;
          }
          this.send(eventFrame(item.seq, item.body));
        }
        if (!gap) break;
      }
    } finally {
      this.catchingUp = false;
    }
  }

  private corked = false;

  /**
   * Frames sent in one turn of the event loop (a bus message's deliveries, a catch-up page) leave
   * in one write instead of one syscall each. ws has no public cork, so this reaches its socket.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    const raw = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!raw) return;
    this.corked = true;
    raw.cork();
    process.nextTick(() => {
      this.corked = false;
      raw.uncork();
    });
  }

  private send(frame: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A device that cannot keep up is dropped; it reconnects and catches up from its last seq.
    if (this.socket.bufferedAmount > limits.websocketOutboundQueueMax * 1024) {
      this.socket.close(1013, 'too slow; reconnect and resume');
      return;
    }
    const match = /^\{"type":"event","event":\{"seq":(\d+)/.exec(frame);
    if (match) this.lastSentSeq = Number(match[1]);
    this.corkUntilNextTick();
    this.socket.send(frame);
  }
}

export function createRealtimeGateway(app: App, ctx: AppContext, services: { accounts: AccountsService; inbox: InboxService; chat: ChatService }) {
  const { accounts, inbox, chat } = services;
  const connections = new Map<number, Set<Connection>>();

  ctx.bus.subscribe(DELIVERIES_TOPIC, (payload) => {
    const { bodies, items } = JSON.parse(payload) as { bodies: string[]; items: [number, number, number][] };
    for (const [accountId, seq, index] of items) {
      const set = connections.get(accountId);
      if (!set) continue;
      for (const connection of set) connection.deliver(seq, bodies[index] as string);
    }
  });

  accounts.onSessionsRevoked((sessionIds) => {
    const revoked = new Set(sessionIds);
    for (const set of connections.values()) {
      for (const connection of set) if (revoked.has(connection.sessionId)) connection.socket.close(4001, 'session revoked');
    }
  });

  app.get('/api/v1/sync', { config: { access: 'member' }, schema: { tags: ['sync'], querystring: SyncQuery } }, async (request) => {
    const auth = member(request);
    const afterSeq = request.query.afterSeq ?? 0;
    const events = await inbox.readEvents(auth.accountId, afterSeq, request.query.limit ?? 100);
    const nextSeq = events.length ? (events[events.length - 1]?.seq ?? afterSeq) : afterSeq;
    return { events: events.map((e) => e.event), nextSeq, lastSeq: await inbox.lastSeq(auth.accountId) };
  });

  app.get('/ws', { websocket: true, schema: { hide: true } }, (socket) => {
    let connection: Connection | undefined;
    const helloTimer = setTimeout(() => socket.close(4000, 'send hello first'), HELLO_TIMEOUT_MS);

    socket.on('message', async (raw: Buffer) => {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        socket.send(JSON.stringify({ type: 'error', error: { code: 'INVALID_JSON', message: 'Frames are JSON objects.' } }));
        return;
      }
      if (!connection) {
        if (frame.type !== 'hello' || typeof frame.token !== 'string') {
          socket.close(4000, 'send hello first');
          return;
        }
        const auth = await accounts.authenticate(frame.token);
        if (!auth) {
          socket.close(4001, 'invalid token');
          return;
        }
        clearTimeout(helloTimer);
        const afterSeq = typeof frame.afterSeq === 'number' && Number.isSafeInteger(frame.afterSeq) && frame.afterSeq >= 0 ? frame.afterSeq : undefined;
        connection = new Connection(socket, auth.accountId, auth.sessionId, inbox);
        // Without afterSeq a device starts live from now; with it, it first receives what it missed.
        connection.lastSentSeq = afterSeq ?? (await inbox.lastSeq(auth.accountId));
        let set = connections.get(auth.accountId);
        if (!set) {
          set = new Set();
          connections.set(auth.accountId, set);
        }
        set.add(connection);
        await connection.catchUp();
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'ready', lastSeq: connection.lastSentSeq }));
        return;
      }
      if (frame.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong', id: frame.id }));
        return;
      }
      if (frame.type === 'send') {
        const message = frame.message as Record<string, unknown> | undefined;
        const clientMsgId = typeof message?.clientMsgId === 'string' ? message.clientMsgId : undefined;
        try {
          const conversationId = Number(frame.conversationId);
          if (!message || !clientMsgId || !Number.isSafeInteger(conversationId) || conversationId < 1)
            throw new AppError('VALIDATION_FAILED', 'send needs conversationId and message {clientMsgId, type, …}.');
          if (message.type !== 'text' || typeof message.text !== 'string' || message.text.length === 0 || message.text.length > limits.messageTextMaxChars) {
            throw new AppError('VALIDATION_FAILED', 'Over the WebSocket, send text messages; use HTTP for the other types.');
          }
          const result = await chat.sendMessage(connection.accountId, conversationId, { clientMsgId, type: 'text', text: message.text });
          socket.send(JSON.stringify({ type: 'ack', clientMsgId, message: result.message }));
        } catch (error) {
          const known = error instanceof AppError;
          if (!known) app.log.error({ err: error }, 'websocket send failed');
          socket.send(
            JSON.stringify({
              type: 'error',
              clientMsgId,
              error: { code: known ? error.code : 'INTERNAL', message: known ? error.message : 'Something went wrong on our side.' },
            }),
          );
        }
        return;
      }
      socket.send(JSON.stringify({ type: 'error', error: { code: 'VALIDATION_FAILED', message: `Unknown frame type ${String(frame.type)}` } }));
    });

    socket.on('close', () => {
      clearTimeout(helloTimer);
      if (!connection) return;
      const set = connections.get(connection.accountId);
      set?.delete(connection);
      if (set?.size === 0) connections.delete(connection.accountId);
    });
  });

  return {
    connectionCount: () => [...connections.values()].reduce((n, s) => n + s.size, 0),
    /** Closes every socket with 1001 so devices reconnect (to another node, or after restart). */
    async drain(): Promise<void> {
      for (const set of connections.values()) for (const c of set) c.socket.close(1001, 'server shutting down');
      connections.clear();
    },
  };
}
