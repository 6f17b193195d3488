export * from './log.appender.js';
export * from './log.store.js';
export * from './in-memory-log.store.js';
export * from './transparency-log.js';
export * from './log-key.js';
export * from './log.anchor.js';
