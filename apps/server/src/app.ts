import fs from 'node:fs';
import path from 'node:path';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import Fastify, { type FastifyError } from 'fastify';
import client from 'prom-client';
import { errorTable } from '@plaza/protocol';
import { type Bus, openBus } from './bus/index.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from './db/index.js';
import { type App, bearerToken } from './http.js';
import { AppError, fail } from './lib/errors.js';
import { createAccountsService, registerAccountRoutes } from './modules/accounts/index.js';
import { createChannelsService, registerChannelRoutes } from './modules/channels/index.js';
import { createChatService, registerChatRoutes } from './modules/chat/index.js';
import { createContactsService, registerContactRoutes } from './modules/contacts/index.js';
import { createInboxService } from './modules/inbox/index.js';
import { createMediaService, registerMediaRoutes } from './modules/media/index.js';
import { createMomentsService, registerMomentRoutes } from './modules/moments/index.js';
import { createOfficialService, registerOfficialRoutes } from './modules/official/index.js';
import { createRealtimeGateway } from './modules/realtime/index.js';
import { createWalletService, registerWalletRoutes } from './modules/wallet/index.js';
import { createMerchantsService, registerMerchantRoutes } from './modules/merchants/index.js';

export interface BuildOptions {
  /** Use this database instead of opening one from the config (tests share setup this way). */
  database?: DatabaseHandle;
  bus?: Bus;
  logger?: boolean;
}

export interface PlazaApp {
  app: App;
  ctx: AppContext;
  services: Awaited<ReturnType<typeof buildServices>>;
  close(): Promise<void>;
}

function buildServices(ctx: AppContext) {
  const inbox = createInboxService(ctx);
  const media = createMediaService(ctx);
  const accounts = createAccountsService(ctx, { inbox, media });
  const contacts = createContactsService(ctx, { accounts, inbox });
  const chat = createChatService(ctx, { accounts, contacts, inbox, media });
  const moments = createMomentsService(ctx, { accounts, inbox, media });
  const channels = createChannelsService(ctx, { accounts, media, chat, moments, inbox });
  const wallet = createWalletService(ctx, { accounts, chat });
  const official = createOfficialService(ctx, { accounts, inbox, media, ledger: wallet.ledger });
  const merchants = createMerchantsService(ctx, { accounts, contacts, inbox, media, wallet });
  return { inbox, accounts, media, contacts, chat, moments, channels, wallet, official, merchants };
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<PlazaApp> {
  const database = options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'plaza.sqlite') }));
  if (!options.database) await migrateToLatest(database);
  const bus = options.bus ?? (await openBus(config.busUrl));

  // Bodies are validated strictly (no type coercion); querystrings and params arrive as text and
  // are coerced to the declared types. Unknown properties are dropped, never stored.
  const bodyAjv = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: true, allErrors: false, strict: false });
  const textAjv = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false, strict: false });

  const app = Fastify({
    logger: options.logger === false ? false : { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    forceCloseConnections: true,
    // One log line per request costs more than the request on the hot paths; errors and slow
    // requests are logged below instead.
    disableRequestLogging: true,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));

  const ctx: AppContext = { config, db: database.db, dialect: database.dialect, bus, log: app.log };
  const services = buildServices(ctx);

  app.decorateRequest('auth', undefined);

  // Every /api route must say who may call it; a route that forgets fails at start-up, not in production.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1/') && !route.config?.access) {
      throw new Error(`route ${route.method} ${route.url} does not declare its access`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access) return;
    const token = bearerToken(request);
    if (token) {
      request.auth = await services.accounts.authenticate(token);
      if (!request.auth && access !== 'public') fail('AUTH_INVALID_TOKEN');
    }
    if (access !== 'public' && !request.auth) fail('AUTH_REQUIRED');
    if (access === 'operator' && !request.auth?.isOperator) fail('AUTH_OPERATOR_ONLY');
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.code(error.status).send({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } });
    }
    if (error.validation) {
      const first = error.validation[0];
      const where = `${error.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
      return reply.code(400).send({ error: { code: 'VALIDATION_FAILED', message: `${where} ${first?.message ?? 'is invalid'}`.trim() } });
    }
    const byFastifyCode: Record<string, keyof typeof errorTable> = {
      FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
      FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
      FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
      FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
      FST_REQ_FILE_TOO_LARGE: 'MEDIA_TOO_LARGE',
      FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
      FST_FILES_LIMIT: 'VALIDATION_FAILED',
      FST_PARTS_LIMIT: 'VALIDATION_FAILED',
    };
    const mapped = error.code ? byFastifyCode[error.code] : undefined;
    if (mapped) return reply.code(errorTable[mapped].status).send({ error: { code: mapped, message: errorTable[mapped].message } });
    if (error instanceof SyntaxError) return reply.code(400).send({ error: { code: 'INVALID_JSON', message: errorTable.INVALID_JSON.message } });
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: { code: 'BAD_REQUEST', message: error.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: errorTable.INTERNAL.message } });
  });

  app.setNotFoundHandler((request, reply) => {
    // The web client owns every non-API path (client-side routing).
    if (request.method === 'GET' && !request.url.startsWith('/api/') && fs.existsSync(path.join(config.webDir, 'index.html'))) {
      return reply.type('text/html').sendFile('index.html', config.webDir);
    }
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Plaza API', version: '1.0.0', description: 'The public HTTP API of Plaza.' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, merchantKey: { type: 'apiKey', in: 'header', name: 'X-Merchant-Key' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  await app.register(fastifyMultipart, { limits: { fileSize: config.media.maxFileBytes, files: 1, fields: 10 } });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  const metrics = new client.Registry();
  client.collectDefaultMetrics({ register: metrics });
  const httpDuration = new client.Histogram({
    name: 'plaza_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [metrics],
  });
  app.addHook('onResponse', async (request, reply) => {
    httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: reply.statusCode }, reply.elapsedTime / 1000);
    if (reply.elapsedTime > 1000 || reply.statusCode >= 500) {
      request.log.warn(
        { method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'slow or failed request',
      );
    }
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.metrics();
  });
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await database.db.selectFrom('inbox_heads').select('account_id').limit(1).execute();
    return { status: 'ok', database: database.dialect, bus: config.busUrl ? 'nats' : 'local', node: config.nodeId };
  });

  registerAccountRoutes(app, services.accounts);
  registerContactRoutes(app, services.contacts);
  registerChatRoutes(app, services.chat);
  registerMediaRoutes(app, services.media);
  registerMomentRoutes(app, services.moments);
  registerChannelRoutes(app, services.channels);
  registerWalletRoutes(app, services.wallet);
  registerOfficialRoutes(app, services.official);
  registerMerchantRoutes(app, services.merchants);
  await services.accounts.applyOperatorHandles();
  services.wallet.start();
  services.merchants.start();
  services.official.start();
  const realtime = createRealtimeGateway(app, ctx, services);

  if (fs.existsSync(path.join(config.webDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: config.webDir, prefix: '/', wildcard: false, index: ['index.html'] });
  }

  let closed = false;
  return {
    app,
    ctx,
    services,
    async close() {
      if (closed) return;
      closed = true;
      await realtime.drain();
      await app.close();
      await services.official.close();
      await services.merchants.close();
      await services.wallet.close();
      await services.chat.close();
      await bus.close();
      if (!options.database) await database.close();
    },
  };
}
