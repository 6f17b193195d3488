export * from './config.loader.js';
export * from './common.config.js';
