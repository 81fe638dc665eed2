import { fileURLToPath } from 'node:url'
import type { Options } from 'tsup'
import { definePackageBuild } from '../../.config/tsup'

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number]

const vitestFromCommonjs = fileURLToPath(new URL('./src/conformance/vitest-from-commonjs.ts', import.meta.url))

/**
 * `vitest` stays an external import in the ESM build; in the CJS build it resolves to a module
 * that throws a CacheError saying to import the suite from a vitest test file. Vitest loads test
 * files as ESM, so the CJS build is only reached by a real require() outside vitest, where vitest's
 * own index.cjs would throw a message about bundlers.
 *
 * tsup's external plugin resolves every peer dependency before esbuild's `alias` is consulted
 * (an alias alone left `require("vitest")` in the output), hence `noExternal: ['vitest']`, which
 * makes tsup skip it, and this plugin, which then decides per format.
 */
const vitestPerFormat: EsbuildPlugin = {
  name: 'cachette-vitest-per-format',
  setup(build) {
    const commonjs = build.initialOptions.format === 'cjs'
    // The stand-in exports nothing (loading it throws), so every `import { it } from 'vitest'` of
    // the cjs build would warn that `it` is undefined. The esm build still reports real cases.
    if (commonjs) build.initialOptions.logOverride = { ...build.initialOptions.logOverride, 'import-is-undefined': 'silent' }
    build.onResolve({ filter: /^vitest(\/|$)/ }, () => (commonjs ? { path: vitestFromCommonjs } : { external: true }))
  },
}

export default definePackageBuild({
  entry: ['src/index.ts', 'src/conformance.ts'],
  noExternal: ['vitest'],
  esbuildPlugins: [vitestPerFormat],
})
