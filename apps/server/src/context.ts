import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Bus } from './bus/index.js';
import type { Config } from './config.js';
import type { DialectName } from './db/index.js';
import type { Database } from './db/schema.js';

/** What every module's service is built from. */
export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  dialect: DialectName;
  bus: Bus;
  log: FastifyBaseLogger;
}
