export { createOfficialService, presentOfficialMessage } from './service.js';
export { registerOfficialRoutes } from './routes.js';
export { loadOfficialSettings, operatorFee } from './settings.js';
export type { OfficialService } from './service.js';
export type { OfficialSettings } from './settings.js';
