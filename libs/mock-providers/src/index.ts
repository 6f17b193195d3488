export * from './mock-adapter.config.js';
export * from './mock-adapter.runner.js';
