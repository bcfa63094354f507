export { createMomentsService, decodeCursor, encodeCursor } from './service.js';
export { registerMomentRoutes } from './routes.js';
export { canSeeInteraction, canSeePost } from './visibility.js';
export type { MomentsService } from './service.js';
