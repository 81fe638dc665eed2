import { defineConfig, type Options } from 'tsup'

/**
 * The one build every published package uses: ESM + CJS + .d.ts from src/index.ts.
 * Packages call `definePackageBuild()` from their own tsup.config.ts and may add entries.
 */
export function definePackageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    treeshake: true,
    splitting: false,
    ...overrides,
  })
}
