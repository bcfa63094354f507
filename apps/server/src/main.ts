import cluster from 'node:cluster';
import path from 'node:path';
import { buildApp } from './app.js';
import { relayBusBetweenWorkers } from './bus/ipc.js';
import { loadConfig } from './config.js';
import { migrateToLatest, openDatabase } from './db/index.js';

const config = loadConfig();

if (config.workers > 1 && cluster.isPrimary) {
  // The primary migrates once, then forks workers that share the port; it relays the bus between
  // them unless NATS (BUS_URL) does, and replaces a worker that dies.
  const database = await openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'plaza.sqlite') });
  await migrateToLatest(database);
  await database.close();
  if (!config.busUrl) relayBusBetweenWorkers();
  let stopping = false;
  for (let i = 0; i < config.workers; i++) cluster.fork({ NODE_ID: `${config.nodeId}-w${i + 1}` });
  cluster.on('exit', (worker, code) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`worker ${worker.process.pid} exited with ${code}; starting another`);
    cluster.fork({ NODE_ID: `${config.nodeId}-w${worker.id}` });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
} else {
  const plaza = await buildApp(config);
  await plaza.app.listen({ port: config.port, host: config.host });
  plaza.app.log.info(
    `Plaza is listening on http://localhost:${config.port} (${plaza.ctx.dialect}, ${config.busUrl ? 'NATS bus' : cluster.isWorker ? 'worker bus' : 'local bus'})`,
  );

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      plaza.app.log.info(`${signal}: draining connections and stopping`);
      plaza.close().then(
        () => process.exit(0),
        (error) => {
          plaza.app.log.error(error);
          process.exit(1);
        },
      );
    });
  }
}
