import { buildApp } from './app.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const plaza = await buildApp(config);
await plaza.app.listen({ port: config.port, host: config.host });
plaza.app.log.info(`Plaza is listening on http://localhost:${config.port} (${plaza.ctx.dialect}, ${config.busUrl ? 'NATS bus' : 'local bus'})`);

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
