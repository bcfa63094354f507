export { createMediaService, presentMedia } from './service.js';
export { registerMediaRoutes } from './routes.js';
export { LocalMediaStorage, S3MediaStorage, openMediaStorage } from './storage.js';
export type { MediaService, MediaRow } from './service.js';
