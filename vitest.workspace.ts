import { defineConfig } from 'vitest/config'

/**
 * The root vitest config: one project per package, all resolving workspace packages to their
 * TypeScript sources through the `@cachette/source` export condition, so tests need no build.
 *
 *   pnpm test   ==   vitest run --config vitest.workspace.ts
 */
const sourceCondition = ['@cachette/source']

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
      { extends: true, test: { name: 'ioredis', root: './packages/ioredis', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'upstash', root: './packages/upstash', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'patient', root: './packages/patient', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'examples', root: './examples', include: ['*/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'bench', root: './bench', include: ['test/**/*.test.ts'] } },
    ],
  },
})
