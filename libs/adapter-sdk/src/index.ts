export * from './adapter.credentials.js';
export * from './task-stream.client.js';
