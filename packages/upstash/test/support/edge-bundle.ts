/**
 * Bundles a worker entry the way an edge deployment does (one ESM file, every import inlined,
 * minified), resolving the workspace packages to their TypeScript sources. The conditions are
 * those of Cloudflare's and Vercel's bundlers: `workerd`/`worker`/`edge-light`/`browser` pick the
 * WebCrypto build of `uncrypto` (what `@upstash/redis` imports), never its `node:crypto` one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Metafile, type Plugin } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))

/** The edge worker entry of edge-worker.ts. */
export const EDGE_WORKER_ENTRY = join(here, 'edge-worker.ts')

/** A built bundle: its code, esbuild's metafile, and where it was written. */
export interface EdgeBundle {
  readonly code: string
  readonly metafile: Metafile
  readonly path: string
  /** Removes the temporary directory. */
  dispose(): void
}

/** Bundles `entry` (default: the edge worker) into a fresh temporary directory. */
export async function bundleEdgeWorker(entry: string = EDGE_WORKER_ENTRY, plugins: Plugin[] = []): Promise<EdgeBundle> {
  const outdir = mkdtempSync(join(tmpdir(), 'cachette-edge-'))
  const path = join(outdir, 'worker.mjs')
  try {
    const result = await build({
      entryPoints: [entry],
      outfile: path,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      minify: true,
      metafile: true,
      logLevel: 'silent',
      plugins,
      conditions: ['@cachette/source', 'workerd', 'worker', 'edge-light', 'browser', 'import', 'default'],
      // platform 'neutral' reads no `main` field by default: these are the browser bundlers' choices.
      mainFields: ['browser', 'module', 'main'],
      absWorkingDir: resolve(here, '../../../..'),
    })
    return { code: readFileSync(path, 'utf8'), metafile: result.metafile, path, dispose: () => rmSync(outdir, { recursive: true, force: true }) }
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true })
    throw error
  }
}

/** The package an input of the metafile belongs to: `@cachette/core`, `zod`, or `other`. */
export function packageOfInput(input: string): string {
  if (input.includes('packages/core/')) return '@cachette/core'
  if (input.includes('packages/upstash/src/')) return '@cachette/upstash'
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input)
  return match?.[1] ?? 'other'
}

/** Every import the bundle kept external (none is expected: an edge bundle must be whole). */
export function externalImports(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((output) => output.imports.filter((entry) => entry.external).map((entry) => entry.path))
}

/** `node:` specifiers, and bare Node built-in names, left in the bundle's code as imports or requires. */
export function nodeImportsIn(code: string): string[] {
  const found = code.match(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["'](node:[^"']+|fs|path|crypto|os|net|http|https|stream|zlib|buffer|util|events|child_process|tls)["']/g)
  return found ?? []
}
