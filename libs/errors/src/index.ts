export * from './evx-error.js';
