export * from './errors.js';
export * from './schemas.js';
export * from './events.js';
export * from './social.js';
export * from './wallet.js';
export * from './official.js';
export * from './merchants.js';
