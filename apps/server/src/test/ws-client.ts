import WebSocket from 'ws';

/** A test device: connects, says hello, and collects every event in arrival order. */
export class TestDevice {
  readonly events: any[] = [];
  readonly frames: any[] = [];
  private socket: WebSocket | undefined;
  private waiters: { predicate: () => boolean; resolve: () => void; reject: (error: Error) => void }[] = [];
  closeCode: number | undefined;
  ready = false;

  constructor(
    private readonly wsUrl: string,
    private readonly token: string,
  ) {}

  async connect(afterSeq?: number): Promise<void> {
    this.ready = false;
    const socket = new WebSocket(this.wsUrl);
    this.socket = socket;
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      this.frames.push(frame);
      if (frame.type === 'event') this.events.push(frame.event);
      if (frame.type === 'ready') this.ready = true;
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate()) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`socket closed with ${code}`));
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'hello', token: this.token, ...(afterSeq !== undefined ? { afterSeq } : {}) }));
    await this.waitFor(() => this.ready);
  }

  send(frame: unknown): void {
    this.socket?.send(JSON.stringify(frame));
  }

  lastSeq(): number {
    return this.events.length ? this.events[this.events.length - 1].seq : 0;
  }

  waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting; have ${this.events.length} events: ${JSON.stringify(this.events.slice(-3))}`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  waitForEvents(count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.events.length >= count, timeoutMs);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
  }
}
