export { createChannelsService } from './service.js';
export { registerChannelRoutes } from './routes.js';
export { explainScore, popularityScore } from './ranking.js';
export type { ChannelsService } from './service.js';
