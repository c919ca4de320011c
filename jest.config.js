// Jest runs TypeScript through esbuild: it strips types only; `npm run typecheck` checks them.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(ts|js)$': '<rootDir>/test/support/esbuild-jest.js' },
  // @middy/* and commander 15 ship ESM only (middy with an "import"-only exports map); jest 29
  // loads CommonJS, so they are transformed like our own code (and middy mapped to its entries).
  transformIgnorePatterns: ['/node_modules/(?!@middy/|commander/)'],
  moduleNameMapper: {
    '^@middy/core$': '<rootDir>/node_modules/@middy/core/index.js',
    '^@middy/util$': '<rootDir>/node_modules/@middy/util/index.js',
  },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60_000,
  // Integration suites share one emulator stack; two workers keep the 2-core CI machine busy
  // without starving the emulators.
  maxWorkers: 2,
};
