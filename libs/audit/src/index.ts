export * from './log-audit.verifier.js';
export * from './log-leaf.codec.js';
