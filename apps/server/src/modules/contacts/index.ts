export { createContactsService } from './service.js';
export { registerContactRoutes } from './routes.js';
export type { ContactsService } from './service.js';
