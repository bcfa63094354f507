export { createRealtimeGateway } from './gateway.js';
