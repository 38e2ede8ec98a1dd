export * from './errors.js';
export * from './limits.js';
export * from './models.js';
export * from './rest.js';
export * from './socket.js';
export * from './system-events.js';
export * from './admin.js';
