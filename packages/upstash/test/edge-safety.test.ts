/**
 * Edge runtimes (Vercel Edge, Cloudflare Workers, Deno Deploy) have no Node built-ins, no
 * Buffer and no process. This walks the driver's whole import graph (its sources, then
 * @cachette/core's, through the `@cachette/source` condition) with the TypeScript parser and
 * fails on any Node-only import or global. The one use of `process` allowed is guarded:
 * `globalThis.process?.env` (the env loaders), `globalThis.process?.getBuiltinModule`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const packagesDir = resolve(here, '../..')
// (`module` and `exports` are left out: without scope analysis they clash with local names.)
const NODE_ONLY_GLOBALS = new Set(['Buffer', 'require', '__dirname', '__filename', 'global', 'setImmediate'])
const builtins = new Set(builtinModules)

interface FileReport {
  readonly specifiers: string[]
  readonly violations: string[]
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0] as string)
}

/** True when `node` is a name being declared or a property name, not a reference to a global. */
function isNotAReference(node: ts.Identifier): boolean {
  const parent = node.parent
  if (parent === undefined) return false
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true
  if (ts.isQualifiedName(parent) && parent.right === node) return true
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent)) && parent.name === node) return true
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent) || ts.isInterfaceDeclaration(parent) || ts.isTypeAliasDeclaration(parent)) && parent.name === node) return true
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isBindingElement(parent)) return true
  return false
}

/** The expression under parentheses and type assertions: `(globalThis as X)` is `globalThis`. */
function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isTypeAssertionExpression(current) || ts.isSatisfiesExpression(current) || ts.isNonNullExpression(current)) {
    current = current.expression
  }
  return current
}

/** `globalThis.<node>`, also written `(globalThis as T).<node>`. */
function isGlobalThisMember(node: ts.Identifier): boolean {
  const access = node.parent
  if (access === undefined || !ts.isPropertyAccessExpression(access) || access.name !== node) return false
  const target = unwrap(access.expression)
  return ts.isIdentifier(target) && target.text === 'globalThis'
}

/** `globalThis.process?.…`: the next access is optional, so a runtime without `process` is fine. */
function isGuardedAccess(node: ts.Identifier): boolean {
  const next = node.parent?.parent
  return next !== undefined && ts.isPropertyAccessExpression(next) && next.questionDotToken !== undefined
}

/** Module specifiers and Node-only usages of one source text. */
function inspectSource(fileName: string, text: string): FileReport {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true)
  const specifiers: string[] = []
  const violations: string[] = []
  const where = (node: ts.Node) => `${fileName}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments
      specifiers.push(argument !== undefined && ts.isStringLiteral(argument) ? argument.text : '<dynamic import>')
    } else if (ts.isIdentifier(node)) {
      const viaGlobalThis = isGlobalThisMember(node)
      if (viaGlobalThis || !isNotAReference(node)) {
        if (NODE_ONLY_GLOBALS.has(node.text)) violations.push(`${where(node)} uses ${node.text}`)
        // `process` is allowed only behind a guard: `globalThis.process?.env`.
        if (node.text === 'process' && !(viaGlobalThis && isGuardedAccess(node))) {
          violations.push(`${where(node)} uses process without the globalThis.process?.… guard`)
        }
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  for (const specifier of specifiers) if (isNodeBuiltin(specifier)) violations.push(`${fileName} imports ${specifier}`)
  if (specifiers.includes('<dynamic import>')) violations.push(`${fileName} has a dynamic import that cannot be checked`)
  return { specifiers, violations }
}

/**
 * The source entry of a workspace package or of one of its subpaths (`@cachette/core/redis`), as
 * the `@cachette/source` condition resolves it.
 */
function workspaceEntry(specifier: string): string | undefined {
  const [scope, folder, ...rest] = specifier.split('/')
  const name = `${scope}/${folder}`
  const manifest = join(packagesDir, folder as string, 'package.json')
  if (!existsSync(manifest)) return undefined
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; exports: Record<string, { '@cachette/source'?: string } | string> }
  const entry = json.exports[rest.length === 0 ? '.' : `./${rest.join('/')}`]
  const source = typeof entry === 'object' ? entry['@cachette/source'] : undefined
  return json.name === name && source !== undefined ? join(packagesDir, folder as string, source) : undefined
}

/** Every file reachable from `entry`, the external packages it imports, and every violation. */
function walk(entry: string): { files: string[]; externals: Set<string>; violations: string[] } {
  const files: string[] = []
  const externals = new Set<string>()
  const violations: string[] = []
  const pending = [entry]
  const seen = new Set<string>()
  while (pending.length > 0) {
    const file = pending.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    files.push(file)
    const report = inspectSource(file, readFileSync(file, 'utf8'))
    violations.push(...report.violations)
    for (const specifier of report.specifiers) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))
        pending.push(existsSync(target) ? target : resolve(dirname(file), specifier))
      } else if (specifier.startsWith('@cachette/')) {
        const target = workspaceEntry(specifier)
        if (target === undefined) violations.push(`${file} imports unknown workspace package ${specifier}`)
        else pending.push(target)
      } else if (!isNodeBuiltin(specifier)) {
        externals.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string))
      }
    }
  }
  return { files, externals, violations }
}

describe('edge-runtime safety', () => {
  it('finds no Node-only import or global anywhere on the driver path', () => {
    const graph = walk(resolve(here, '../src/index.ts'))
    expect(graph.files.some((file) => file.endsWith('upstash/src/upstash-driver.ts'))).toBe(true)
    expect(graph.files.some((file) => file.endsWith('core/src/index.ts'))).toBe(true)
    // The Redis wire helpers shared with the ioredis driver are on the path too.
    expect(graph.files.some((file) => file.endsWith('core/src/redis.ts'))).toBe(true)
    expect(graph.files.some((file) => file.endsWith('core/src/redis/scripts.ts'))).toBe(true)
    expect(graph.violations).toEqual([])
    // The only third-party code on the path, all of it made for edge runtimes too.
    expect(graph.externals).toContain('@upstash/redis')
    expect(graph.externals).toContain('zod')
    for (const name of graph.externals) expect(['@upstash/redis', 'zod', '@opentelemetry/api']).toContain(name)
  })

  it("finds no Node-only import or global behind core's kit, the entry a domain package on the edge uses", () => {
    const graph = walk(workspaceEntry('@cachette/core/kit') as string)
    expect(graph.files.some((file) => file.endsWith('core/src/kit.ts'))).toBe(true)
    expect(graph.violations).toEqual([])
    for (const name of graph.externals) expect(['zod', '@opentelemetry/api']).toContain(name)
  })

  it('imports only edge-safe modules from the @upstash/redis build a bundler picks (the import condition)', () => {
    const root = resolve(here, '../node_modules/@upstash/redis')
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: { '.': { import: string } } }
    const pending = [resolve(root, manifest.exports['.'].import)]
    const imported: string[] = []
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      for (const specifier of inspectSource(file, readFileSync(file, 'utf8')).specifiers) {
        if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier))
        else imported.push(specifier)
      }
    }
    expect(imported.filter(isNodeBuiltin)).toEqual([])
  })

  it('catches what it must catch (the checker itself)', () => {
    const bad = [
      "import { readFileSync } from 'node:fs'",
      "import crypto from 'crypto'",
      'const a = Buffer.from("x")',
      'const b = process.env.X',
      'const c = globalThis.process.env',
      'const e = (globalThis as any).process.env',
      'const d = require("x")',
    ].join('\n')
    expect(inspectSource('bad.ts', bad).violations).toHaveLength(7)
    const fine = [
      'const env = globalThis.process?.env ?? {}',
      'const load = (globalThis as { process?: { getBuiltinModule?: unknown } }).process?.getBuiltinModule',
      'const module = 1; const exports = module',
      "const o = { Buffer: 1, process: 2 }; o.Buffer; o.process",
      "// Buffer and process in a comment, 'Buffer' in a string",
      'const bytes = new TextEncoder().encode("x"); const text = atob(btoa("x"))',
    ].join('\n')
    expect(inspectSource('fine.ts', fine).violations).toEqual([])
  })
})
