import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectRealtime, type InboxEvent, PlazaApiError, PlazaClient, type WebSocketConstructor } from './index';

type Call = { url: string; init: RequestInit };

function stubFetch(status: number, body: unknown) {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('PlazaClient', () => {
  it('sends the bearer token and a JSON body, and returns the parsed reply', async () => {
    const calls = stubFetch(201, { message: { id: '9' } });
    const client = new PlazaClient({ baseUrl: 'http://plaza.test/', token: 'tok' });
    const result = await client.sendMessage('4', 'c-1', { type: 'text', text: 'hi' });
    expect(result.message.id).toBe('9');
    const call = calls[0];
    if (!call) throw new Error('fetch was not called');
    expect(call.url).toBe('http://plaza.test/api/v1/conversations/4/messages');
    expect((call.init.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect(JSON.parse(String(call.init.body))).toEqual({ clientMsgId: 'c-1', type: 'text', text: 'hi' });
  });

  it('turns error replies into PlazaApiError with the stable code', async () => {
    stubFetch(403, { error: { code: 'CHAT_NOT_FRIENDS', message: 'You can only chat 1:1 with friends.' } });
    const error = await new PlazaClient().createDirect('2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlazaApiError);
    expect(error).toMatchObject({ status: 403, code: 'CHAT_NOT_FRIENDS' });
  });

  it('returns undefined for 204 and omits empty query values', async () => {
    const calls = stubFetch(204, undefined);
    await new PlazaClient().revokeSession('others');
    expect(calls[0]?.init.method).toBe('DELETE');
    const searched = stubFetch(200, { accounts: [] });
    await new PlazaClient().searchAccounts({ handle: 'alice_1', phone: undefined });
    expect(searched[0]?.url).toBe('/api/v1/accounts/search?handle=alice_1');
  });

  it('uploads media with the kind field before the file part', async () => {
    const calls = stubFetch(201, { media: { id: '1' } });
    await new PlazaClient().uploadMedia('image', new Blob(['x'], { type: 'image/png' }), 'a.png');
    const form = calls[0]?.init.body as FormData;
    expect([...form.keys()]).toEqual(['kind', 'file']);
  });
});

describe('connectRealtime', () => {
  it('says hello with afterSeq and forwards events and ready', () => {
    const sent: string[] = [];
    let socket: FakeSocket | undefined;
    class FakeSocket {
      readyState = 1;
      onopen: (() => void) | null = null;
      onmessage: ((event: { data: string }) => void) | null = null;
      onclose: ((event: { code: number }) => void) | null = null;
      onerror: (() => void) | null = null;
      constructor(readonly url: string) {
        socket = this;
      }
      send(data: string) {
        sent.push(data);
      }
      close() {
        this.onclose?.({ code: 1000 });
      }
    }
    const events: InboxEvent[] = [];
    const ready: number[] = [];
    const connection = connectRealtime(
      'ws://plaza.test/ws',
      'tok',
      7,
      { onEvent: (event) => events.push(event), onReady: (seq) => ready.push(seq) },
      FakeSocket as unknown as WebSocketConstructor,
    );
    socket?.onopen?.();
    expect(JSON.parse(sent[0] ?? '')).toEqual({ type: 'hello', token: 'tok', afterSeq: 7 });
    socket?.onmessage?.({ data: JSON.stringify({ type: 'event', event: { seq: 8, type: 'contact.updated' } }) });
    socket?.onmessage?.({ data: JSON.stringify({ type: 'ready', lastSeq: 8 }) });
    socket?.onmessage?.({ data: 'not json' });
    expect(events.map((e) => e.seq)).toEqual([8]);
    expect(ready).toEqual([8]);
    connection.close();
  });
});
