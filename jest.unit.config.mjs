import { base } from './jest.base.mjs';

export default { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] };
