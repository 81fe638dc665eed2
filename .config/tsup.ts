import { defineConfig, type Options } from 'tsup'

/**
 * The one build every published package uses: ESM + CJS + .d.ts from src/index.ts.
 * Packages call `definePackageBuild()` from their own tsup.config.ts and may add entries.
 *
 * Source maps point at the `src/` the package ships instead of embedding it (`sourcesContent`
 * off): a tarball carries each TypeScript source once, not three times. esbuild alone bundles and
 * tree-shakes each entry; tsup's extra rollup tree-shaking pass is off because it appended a second
 * `sourceMappingURL` comment to every file and removed nothing esbuild had kept.
 */
export function definePackageBuild(overrides: Options = {}) {
  const { esbuildOptions, ...rest } = overrides
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    treeshake: false,
    splitting: false,
    ...rest,
    esbuildOptions(options, context) {
      options.sourcesContent = false
      esbuildOptions?.(options, context)
    },
  })
}
