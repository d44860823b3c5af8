// ESM + TypeScript: ts-jest transpiles; imports use real `.ts` specifiers
// (tsconfig rewriteRelativeImportExtensions), which Node 24 can also run directly.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  clearMocks: true,
}

export default {
  // Integration tests start real servers and real `go` builds; give them room.
  testTimeout: 240_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts'] },
  ],
}
