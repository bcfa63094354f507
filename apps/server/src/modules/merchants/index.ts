export { createMerchantsService, presentMerchant, presentPayment, presentRefund, signWebhook } from './service.js';
export { registerMerchantRoutes } from './routes.js';
export type { MerchantsService, MerchantActor } from './service.js';
export type { CouponIssuers } from './issuers.js';
