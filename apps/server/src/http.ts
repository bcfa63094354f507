import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { fail } from './lib/errors.js';
import type { AuthenticatedSession } from './modules/accounts/service.js';

/** Who may call a route: declared on every /api route and checked before its handler runs. */
export type Access = 'public' | 'member' | 'operator';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    auth: AuthenticatedSession | undefined;
  }
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The signed-in member of a `member` route (the access hook guarantees one). */
export function member(request: FastifyRequest): AuthenticatedSession {
  if (!request.auth) fail('AUTH_REQUIRED');
  return request.auth;
}

/** The signed-in operator of an `operator` route (the access hook guarantees one). */
export function operator(request: FastifyRequest): AuthenticatedSession {
  const auth = member(request);
  if (!auth.isOperator) fail('AUTH_OPERATOR_ONLY');
  return auth;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}
