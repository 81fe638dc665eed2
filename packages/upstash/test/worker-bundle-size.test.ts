/**
 * What a minimal edge worker using Cachette (getOrSet, invalidateTags over Upstash) weighs once
 * bundled and minified, split by package; docs/edge.md shows the table. The bounds are generous:
 * they catch a dependency pulled in by mistake, not a few hundred bytes.
 *
 *   pnpm vitest run --config vitest.workspace.ts --project upstash test/worker-bundle-size.test.ts
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bundleEdgeWorker, externalImports, nodeImportsIn } from './support/edge-bundle.js'
import { formatSizeTable, measureBundle } from './support/edge-size.js'

const MINIMAL_WORKER = fileURLToPath(new URL('./support/edge-minimal-worker.ts', import.meta.url))
const KB = 1024

describe('edge worker bundle size', () => {
  it('stays under its bounds, whole (no externals, no node: import), the split printed', async () => {
    const bundle = await bundleEdgeWorker(MINIMAL_WORKER)
    try {
      expect(externalImports(bundle.metafile)).toEqual([])
      expect(nodeImportsIn(bundle.code)).toEqual([])
      const size = measureBundle(bundle)
      console.log(`minimal edge worker (createCache + upstashDriver, getOrSet + invalidateTags), esbuild --minify:\n${formatSizeTable(size)}`)
      // ~340 KB raw / ~97 KB gzip at the time of writing; Cloudflare's free plan takes 3 MB gzip.
      expect(size.rawBytes).toBeLessThan(450 * KB)
      expect(size.gzipBytes).toBeLessThan(130 * KB)
      expect(size.bytesByGroup.zod).toBeLessThan(150 * KB)
      expect(size.bytesByGroup['@cachette/core']).toBeLessThan(180 * KB)
      expect(size.bytesByGroup['@cachette/upstash']).toBeLessThan(25 * KB)
      // Every group is really there: a grouping that stopped matching would hide growth.
      for (const bytes of Object.values(size.bytesByGroup)) expect(bytes).toBeGreaterThan(0)
    } finally {
      bundle.dispose()
    }
  })

  it("keeps zod's share small: no workspace source imports zod's `z` by name", () => {
    // `import { z } from 'zod'` reaches zod's whole namespace object, which a bundler must keep
    // (every locale, JSON Schema conversion): 443 KB of a 687 KB worker. `import * as z` lets it
    // keep what is used (95 KB); the size bound above would catch the regression, this names it.
    const offenders = sourceFiles(['core', 'upstash']).filter((file) => /import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*'zod'/.test(readFileSync(file, 'utf8')))
    expect(offenders).toEqual([])
  })
})

/** Every .ts file under packages/<name>/src. */
function sourceFiles(names: readonly string[]): string[] {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  return names.flatMap((name) => readdirSync(join(root, name, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).map((file) => join(root, name, 'src', file)))
}
