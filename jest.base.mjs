// Jest runs in ESM mode: NestJS 12 ships ESM only, and CommonJS jest cannot load it on Node 20 (docs/architecture.md).
export const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^#evx/(.*)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  rootDir: '.',
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
