// Jest runs TypeScript through esbuild: it strips types only; `npm run typecheck` checks them.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/support/esbuild-jest.js' },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60_000,
  // Integration suites share one emulator stack; two workers keep the 2-core CI machine busy
  // without starving the emulators.
  maxWorkers: 2,
};
