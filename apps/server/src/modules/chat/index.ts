export { createChatService } from './service.js';
export { registerChatRoutes } from './routes.js';
export { presentMessage, previewOf } from './presenter.js';
export type { ChatService } from './service.js';
