import cluster from 'node:cluster';
import type { Bus } from './index.js';

interface BusEnvelope {
  plazaBus: true;
  topic: string;
  payload: string;
}

function isEnvelope(message: unknown): message is BusEnvelope {
  return typeof message === 'object' && message !== null && (message as BusEnvelope).plazaBus === true;
}

/**
 * The bus between the worker processes of one machine (WORKERS > 1 without BUS_URL): a worker
 * sends to the primary, which relays to every worker, the sender included, as NATS does.
 */
export class IpcBus implements Bus {
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly onMessage = (message: unknown) => {
    if (!isEnvelope(message)) return;
    for (const handler of this.handlers.get(message.topic) ?? []) handler(message.payload);
  };

  constructor() {
    if (!process.send) throw new Error('IpcBus runs only in a worker process');
    process.on('message', this.onMessage);
  }

  publish(topic: string, payload: string): void {
    process.send?.({ plazaBus: true, topic, payload } satisfies BusEnvelope);
  }

  subscribe(topic: string, handler: (payload: string) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    process.off('message', this.onMessage);
    this.handlers.clear();
  }
}

/** In the primary: relays every bus message from one worker to all of them. */
export function relayBusBetweenWorkers(): void {
  cluster.on('message', (_worker, message: unknown) => {
    if (!isEnvelope(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(message);
    }
  });
}
