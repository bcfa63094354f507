import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { connect, type NatsConnection } from 'nats';

/**
 * Carries events between the nodes of one Plaza deployment. Every node, including the one that
 * published, receives what is published, so delivery code has one path on one node or many.
 */
export interface Bus {
  publish(topic: string, payload: string): void;
  subscribe(topic: string, handler: (payload: string) => void): () => void;
  /** Resolves once everything published so far has left this process. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export class LocalBus implements Bus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(topic: string, payload: string): void {
    // Asynchronous like a network bus, so callers never depend on synchronous delivery.
    queueMicrotask(() => this.emitter.emit(topic, payload));
  }

  subscribe(topic: string, handler: (payload: string) => void): () => void {
    this.emitter.on(topic, handler);
    return () => this.emitter.off(topic, handler);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class NatsBus implements Bus {
  private constructor(
    private readonly connection: NatsConnection,
    private readonly prefix: string,
  ) {}

  static async connect(url: string, prefix = 'plaza'): Promise<NatsBus> {
    const connection = await connect({ servers: url, name: 'plaza', maxReconnectAttempts: -1 });
    return new NatsBus(connection, prefix);
  }

  publish(topic: string, payload: string): void {
    this.connection.publish(`${this.prefix}.${topic}`, encoder.encode(payload));
  }

  subscribe(topic: string, handler: (payload: string) => void): () => void {
    const subscription = this.connection.subscribe(`${this.prefix}.${topic}`, {
      callback: (error, message) => {
        if (!error) handler(decoder.decode(message.data));
      },
    });
    return () => subscription.unsubscribe();
  }

  async flush(): Promise<void> {
    await this.connection.flush();
  }

  async close(): Promise<void> {
    await this.connection.drain();
  }
}

export async function openBus(busUrl: string | undefined, prefix?: string): Promise<Bus> {
  if (busUrl) return NatsBus.connect(busUrl, prefix);
  if (cluster.isWorker) {
    const { IpcBus } = await import('./ipc.js');
    return new IpcBus();
  }
  return new LocalBus();
}
