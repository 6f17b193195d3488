export * from './column.types.js';
export * from './data-source.factory.js';
export * from './persistence.module.js';
export * from './audit-outbox.store.js';
export * from './sqlite.serialiser.js';
export * from './raw-sql.js';
