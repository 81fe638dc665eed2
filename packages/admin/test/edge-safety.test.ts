/**
 * The handler must run where there is no Node: Vercel Edge, Cloudflare Workers, Deno Deploy. Its
 * sources import only core (checked for edge safety by packages/upstash/test/edge-safety.test.ts),
 * core's kit and zod, and use no Node-only global: read with the TypeScript parser, so comments
 * and strings do not count.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const src = join(dirname(fileURLToPath(import.meta.url)), '../src')
const ALLOWED_PACKAGES = new Set(['@cachette/core', '@cachette/core/kit', 'zod'])
const NODE_ONLY_GLOBALS = new Set(['Buffer', 'process', 'require', '__dirname', '__filename', 'global', 'setImmediate'])

/** Whether an identifier names a property or a declaration rather than a global it reads. */
function isNotAReference(node: ts.Identifier): boolean {
  const parent = node.parent
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true
  if ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isMethodSignature(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node) return true
  return false
}

function inspect(file: string): { specifiers: string[]; globals: string[] } {
  const source = ts.createSourceFile(file, readFileSync(join(src, file), 'utf8'), ts.ScriptTarget.ES2022, true)
  const specifiers: string[] = []
  const globals: string[] = []
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      specifiers.push('<dynamic import>')
    } else if (ts.isIdentifier(node) && NODE_ONLY_GLOBALS.has(node.text) && !isNotAReference(node)) {
      globals.push(`${file}: ${node.text}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return { specifiers, globals }
}

describe('edge safety', () => {
  const files = readdirSync(src).filter((file) => file.endsWith('.ts'))

  it('imports only @cachette/core, its kit, zod and its own files', () => {
    const outside = files.flatMap((file) => inspect(file).specifiers.filter((specifier) => !specifier.startsWith('./') && !ALLOWED_PACKAGES.has(specifier)).map((specifier) => `${file}: ${specifier}`))
    expect(files.length).toBeGreaterThan(5)
    expect(outside).toEqual([])
  })

  it('uses no Node-only global (Buffer, process, require, setImmediate...)', () => {
    expect(files.flatMap((file) => inspect(file).globals)).toEqual([])
  })
})
