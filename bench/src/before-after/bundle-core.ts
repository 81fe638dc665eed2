import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Options as TsupOptions } from 'tsup'

/**
 * One side of the before/after run: @cachette/core from a git ref or from the working tree,
 * bundled from its TypeScript sources into one ESM file, both sides the same way. The sources,
 * not the dist: an old ref's dist is not in the repository, and building the working tree's dist
 * would write into a package others are editing.
 */

// esbuild's own types, through tsup's (the bench does not depend on esbuild directly: see below).
type Plugin = NonNullable<TsupOptions['esbuildPlugins']>[number]
type BuildOptions = Parameters<NonNullable<TsupOptions['esbuildOptions']>>[0]

/** The repository root (bench/src/before-after/ is three levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The working tree's core directory: the after side. */
export const WORKING_TREE_CORE = join(REPO_ROOT, 'packages/core')
const WORKSPACE_IOREDIS = join(REPO_ROOT, 'packages/ioredis')

/** What the run needs from one side's bundle (structural: the two sides' types may differ). */
export interface HitCache {
  get(key: unknown): Promise<unknown>
  getOrSet(key: unknown, loader: () => Promise<unknown>): Promise<unknown>
  close(options: { driver: boolean }): Promise<void>
}

/** The exports of one side's bundle: its core's, and the driver compiled against it. */
export interface CoreBundle {
  createCache(options: { driver: unknown; prefix: string; ttl: number }): HitCache
  defineKey(template: string): (params: { id: string }) => unknown
  memoryDriver(): unknown
  /** The working tree's driver; absent when it does not compile against this side's core. */
  ioredisDriver?: (options: { url: string }) => unknown
}

/** A loaded side, and how it was built (for the report). */
export interface BuiltSide {
  readonly core: CoreBundle
  /** Why the driver is missing from this side's bundle (the build error), if it is. */
  readonly driverError: string | undefined
}

/** The full commit id of `ref`; throws a readable error for an unknown ref. */
export function resolveCommit(ref: string): string {
  try {
    return execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error(`[@cachette/bench] before-after: '${ref}' is not a commit of ${REPO_ROOT}`)
  }
}

/** `git log -1 --format=<format>` of a commit. */
export function commitLine(commit: string, format = '%h %s'): string {
  return execFileSync('git', ['-C', REPO_ROOT, 'log', '-1', `--format=${format}`, commit], { encoding: 'utf8' }).trim()
}

/**
 * Extracts packages/core and the tsconfig it extends at `commit` into `dir` (git archive: no
 * worktree, nothing written in the repository) and returns the extracted core's directory.
 *
 * @example
 * ```ts
 * const coreDir = extractCore(resolveCommit('c304a8b'), '/tmp/scratch/before')
 * ```
 */
export function extractCore(commit: string, dir: string): string {
  mkdirSync(dir, { recursive: true })
  const tar = execFileSync('git', ['-C', REPO_ROOT, 'archive', '--format=tar', commit, 'packages/core', 'tsconfig.base.json'], { maxBuffer: 512 * 2 ** 20 })
  execFileSync('tar', ['-x', '-C', dir], { input: tar })
  return join(dir, 'packages/core')
}

/** `@cachette/source` entry of `subpath` ('.', './kit') in a package's exports map. */
function sourceEntry(packageDir: string, subpath: string): string | undefined {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { exports?: Record<string, Record<string, unknown>> }
  const target = manifest.exports?.[subpath]?.['@cachette/source']
  return typeof target === 'string' ? join(packageDir, target) : undefined
}

/**
 * Resolves @cachette/core (and its subpaths) to `coreDir`'s sources, @cachette/ioredis to the
 * working tree's driver sources, and leaves every other package (zod, @opentelemetry/api,
 * ioredis) external, imported by absolute path from the workspace: both sides then share one
 * copy of each, as an application has.
 */
function workspacePlugin(coreDir: string): Plugin {
  return {
    name: 'cachette-before-after',
    setup(build) {
      build.onResolve({ filter: /^@cachette\/(core|ioredis)(\/.*)?$/ }, (args) => {
        const [, name, rest] = /^@cachette\/(core|ioredis)(\/.*)?$/.exec(args.path) as RegExpExecArray
        const packageDir = name === 'core' ? coreDir : WORKSPACE_IOREDIS
        const path = sourceEntry(packageDir, rest === undefined ? '.' : `.${rest}`)
        if (path === undefined || !existsSync(path)) return { errors: [{ text: `${args.path} has no source entry in ${packageDir}` }] }
        return { path }
      })
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('node:') || args.pluginData === 'workspace') return undefined
        const resolveDir = args.importer.startsWith(WORKSPACE_IOREDIS) ? WORKSPACE_IOREDIS : WORKING_TREE_CORE
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir, pluginData: 'workspace' })
        if (resolved.errors.length > 0) return { errors: resolved.errors }
        return { path: resolved.path, external: true }
      })
    },
  }
}

// esbuild is tsup's own dependency: the bench does not declare it, so it is reached through
// tsup (a root devDependency), which keeps the lockfile as it is and builds with the same esbuild.
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as { build(options: BuildOptions): Promise<unknown>; version: string }

/** The esbuild version both sides are bundled with. */
export const ESBUILD_VERSION = esbuild.version

const CORE_EXPORTS = "export { createCache, defineKey, memoryDriver } from '@cachette/core'\n"
const DRIVER_EXPORT = "export { ioredisDriver } from '@cachette/ioredis'\n"

async function bundle(coreDir: string, outfile: string, withDriver: boolean): Promise<void> {
  await esbuild.build({
    stdin: { contents: CORE_EXPORTS + (withDriver ? DRIVER_EXPORT : ''), resolveDir: coreDir, sourcefile: 'before-after-entry.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    // What the packages' tsup builds target (.config/tsup.ts).
    target: 'node20',
    outfile,
    logLevel: 'silent',
    plugins: [workspacePlugin(coreDir)],
  })
}

/**
 * Bundles core from `coreDir` with the working tree's ioredis driver compiled against it, into
 * `outfile`, and imports it. If the driver does not compile against this core (its imports from
 * core changed), the bundle holds core alone and `driverError` says why.
 *
 * @example
 * ```ts
 * const before = await buildSide(extractCore(commit, dir), join(dir, 'before.mjs'))
 * ```
 */
export async function buildSide(coreDir: string, outfile: string): Promise<BuiltSide> {
  let driverError: string | undefined
  try {
    await bundle(coreDir, outfile, true)
  } catch (error) {
    driverError = (error instanceof Error ? error.message : String(error)).replace(/^Build failed with \d+ errors?:\n/, '').split('\n')[0]
    await bundle(coreDir, outfile, false)
  }
  const core = (await import(pathToFileURL(outfile).href)) as CoreBundle
  return { core, driverError }
}
