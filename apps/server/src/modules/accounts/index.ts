export { registerAccountRoutes } from './routes.js';
export { createAccountsService, presentAccount, presentOwnAccount, isUniqueViolation, SESSIONS_REVOKED_TOPIC } from './service.js';
export type { AccountsService, AccountRow, AuthenticatedSession, PublicAccount } from './service.js';
