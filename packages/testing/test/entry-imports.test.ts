/**
 * `@cachette/testing` must load from require(), Jest and node:test, where vitest cannot run and
 * fast-check may be absent (both are optional peers); only `@cachette/testing/conformance` may
 * need them. This walks each entry's import graph statically, through relative imports and the
 * `@cachette/source` entries of workspace packages, and lists the packages it reaches. Type-only
 * imports count too: they end up in the emitted .d.ts.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const packageDir = resolve(here, '..')
const packagesDir = resolve(packageDir, '..')

interface ImportGraph {
  readonly files: readonly string[]
  /** Each third-party package reached, with the chain of files that imports it first. */
  readonly externals: ReadonlyMap<string, readonly string[]>
}

/** The `@cachette/source` file of a workspace specifier such as `@cachette/core`. */
function workspaceSource(specifier: string): string {
  const [, folder, ...subpath] = specifier.split('/')
  const manifestPath = join(packagesDir, folder as string, 'package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { '@cachette/source'?: string }> }
  const target = manifest.exports[subpath.length === 0 ? '.' : `./${subpath.join('/')}`]?.['@cachette/source']
  if (target === undefined) throw new Error(`${specifier}: no @cachette/source export in ${manifestPath}`)
  return join(packagesDir, folder as string, target)
}

/** The .ts file a relative specifier (written with .js, as the sources do) points at. */
function relativeSource(from: string, specifier: string): string {
  const target = resolve(dirname(from), specifier)
  const candidates = [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, join(target, 'index.ts')]
  const found = candidates.find((candidate) => existsSync(candidate))
  if (found === undefined) throw new Error(`${from}: cannot resolve ${specifier}`)
  return found
}

/** The package name of a bare specifier: `fast-check`, `@upstash/redis`, `vitest` for `vitest/config`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string)
}

function walkImports(entry: string): ImportGraph {
  const chains = new Map<string, readonly string[]>([[entry, [entry]]])
  const externals = new Map<string, readonly string[]>()
  const pending = [entry]
  for (let file = pending.shift(); file !== undefined; file = pending.shift()) {
    const chain = chains.get(file) as readonly string[]
    // import, import type, export … from, import(), require(): everything that names a module.
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    for (const { fileName: specifier } of importedFiles) {
      if (specifier.startsWith('node:')) continue
      const local = specifier.startsWith('.') ? relativeSource(file, specifier) : specifier.startsWith('@cachette/') ? workspaceSource(specifier) : undefined
      if (local === undefined) {
        const name = packageName(specifier)
        if (!externals.has(name)) externals.set(name, [...chain, specifier])
      } else if (!chains.has(local)) {
        chains.set(local, [...chain, local])
        pending.push(local)
      }
    }
  }
  return { files: [...chains.keys()], externals }
}

/** How `graph` reaches `name`, for a readable failure: `src/index.ts > src/x.ts > vitest`. */
function route(graph: ImportGraph, name: string): string {
  return (graph.externals.get(name) ?? []).map((step) => (step.startsWith('/') ? relative(packagesDir, step) : step)).join(' > ')
}

const source = (path: string) => resolve(packageDir, 'src', path)

describe('what each entry of @cachette/testing imports', () => {
  it('the root entry reaches neither vitest nor fast-check', () => {
    const graph = walkImports(source('index.ts'))
    // Not vacuous: the walk went through every part of the root entry and into @cachette/core.
    for (const file of ['chaos/chaos-scenario.ts', 'redis/redis-cluster.ts', 'upstash-bridge/resp-parser.ts', 'fake-clock.ts']) {
      expect(graph.files).toContain(source(file))
    }
    expect(graph.files).toContain(resolve(packagesDir, 'core/src/index.ts'))
    expect(graph.files.some((file) => file.includes('/src/conformance'))).toBe(false)
    expect(route(graph, 'vitest')).toBe('')
    expect(route(graph, 'fast-check')).toBe('')
  })

  it('the conformance entry reaches both (so the walk above would have seen them)', () => {
    const graph = walkImports(source('conformance.ts'))
    expect(route(graph, 'vitest')).toMatch(/^testing\/src\/conformance\.ts > .* > vitest$/)
    expect(route(graph, 'fast-check')).toMatch(/^testing\/src\/conformance\.ts > .* > fast-check$/)
  })

  it('the reference model and the command runner load without vitest or fast-check', () => {
    for (const file of ['conformance/model/reference-model.ts', 'conformance/model/apply-driver-command.ts']) {
      const graph = walkImports(source(file))
      expect(route(graph, 'vitest'), file).toBe('')
      expect(route(graph, 'fast-check'), file).toBe('')
    }
  })

  it('the command arbitraries need fast-check but not vitest', () => {
    const graph = walkImports(source('conformance/model/arbitrary.ts'))
    expect(route(graph, 'fast-check')).not.toBe('')
    expect(route(graph, 'vitest')).toBe('')
  })
})
