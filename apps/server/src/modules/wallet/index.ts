export { createWalletService, presentTransfer } from './service.js';
export { registerWalletRoutes } from './routes.js';
export { verifyLedger } from './ledger.js';
export type { WalletService } from './service.js';
export type { BankAdapter } from './bank/adapter.js';
export type { GoldPriceSource } from './gold/price.js';
