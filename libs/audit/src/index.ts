export * from './log-audit.verifier.js';
export * from './log-leaf.codec.js';
export * from './audit-outbox.js';
