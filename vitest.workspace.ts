import { defineConfig } from 'vitest/config'

/**
 * The root vitest config: one project per package, all resolving workspace packages to their
 * TypeScript sources through the `@cachette/source` export condition, so tests need no build.
 *
 *   pnpm test   ==   vitest run --config vitest.workspace.ts
 */
const sourceCondition = ['@cachette/source']

/** What runs again on ioredis 6: the version check, every failure test, the conformance suites and the cluster tests. */
const ioredis6Tests = [
  'test/ioredis-version.test.ts',
  'test/failure.test.ts',
  'test/offline-memory.test.ts',
  'test/chaos.test.ts',
  'test/conformance.test.ts',
  'test/cluster-conformance.test.ts',
  'test/cluster.test.ts',
]

export default defineConfig({
  resolve: { conditions: sourceCondition },
  ssr: { resolve: { conditions: sourceCondition } },
  test: {
    // The JSON report lets .ci/run print a one-line count; the default reporter is for people.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Type tests (*.test-d.ts) are checked by tsc against each project's own tsconfig.json.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    projects: [
      { extends: true, test: { name: 'core', root: './packages/core', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'testing', root: './packages/testing', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'ioredis', root: './packages/ioredis', include: ['test/**/*.test.ts'], provide: { ioredisMajor: 5 } } },
      {
        extends: true,
        // The peer range is `^5.4.0 || ^6.0.0` and the devDependency is 5: this project runs the
        // failure tests again on the `ioredis-6` devDependency. The alias matches `ioredis` exactly
        // (not ioredis-mock, not a subpath), in the tests and in the driver's sources alike;
        // test/ioredis-version.test.ts fails if the alias stops taking effect.
        resolve: { alias: [{ find: /^ioredis$/, replacement: 'ioredis-6' }] },
        test: {
          name: 'ioredis@6',
          root: './packages/ioredis',
          include: ioredis6Tests,
          provide: { ioredisMajor: 6 },
          // Type tests do not depend on the ioredis copy loaded: any this package gets run once, in the ioredis project.
          typecheck: { enabled: false },
        },
      },
      { extends: true, test: { name: 'upstash', root: './packages/upstash', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'redis', root: './packages/redis', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'valkey-glide', root: './packages/valkey-glide', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'patient', root: './packages/patient', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'fhir-export', root: './packages/fhir-export', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'messaging', root: './packages/messaging', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'admin', root: './packages/admin', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'examples', root: './examples', include: ['*/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'bench', root: './bench', include: ['test/**/*.test.ts'] } },
    ],
  },
})
