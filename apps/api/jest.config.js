/**
 * Jest in native ESM mode (NestJS 12 ships ESM only): run with `node --experimental-vm-modules`.
 * @swc/jest compiles TypeScript with decorator metadata, which Nest's dependency injection needs.
 * @type {import('jest').Config}
 */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // Generous: an e2e file starts a real app (PGlite opens and migrates in 3-10 s on a busy 2-core machine).
  testTimeout: 60000,
};
