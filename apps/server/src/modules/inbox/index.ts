export { createInboxService, DELIVERIES_TOPIC, pointerKey } from './service.js';
export type { Delivery, InboxService, NewInboxEvent, MessageMaterializer } from './service.js';
