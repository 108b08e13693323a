// Native ESM jest with @swc/jest (see ../shared/tooling.md): transform-only, so type errors
// are caught by `tsc --noEmit` in tox-free-scripts/lint, not here.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
      module: { type: 'es6' },
    }],
  },
  testMatch: ['<rootDir>/lib/**/*.test.ts', '<rootDir>/charms/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/build/', '/dist/'],
  testTimeout: 60000,
};
