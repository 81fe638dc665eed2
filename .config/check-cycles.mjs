// Lists the import cycles in each package's sources and exits 1 when there is one. Run by `.ci/run`
// (`pnpm lint:cycles`). Type-only imports count: a cycle of types is still a tangle for a reader, and
// `import type` today is a value import after the next refactor.
//
//   node .config/check-cycles.mjs             every packages/*/src and examples/*/src
//   node .config/check-cycles.mjs DIR...      those folders, from the current one (the test runs it on a fixture)
//
// Imports are read with TypeScript's parser (comments and strings are not imports), counting
// `import`, `import type`, `export ... from`, `import('…')` and `import x = require('…')`.
// Relative specifiers are resolved the way the sources write them: `./x.js` is `./x.ts`, and a
// folder is its `index.ts`. A relative specifier that resolves to no file is an error (exit 2),
// so that a resolution gap cannot hide a cycle. Imports of other packages are not followed; a
// cycle between workspace packages (through their src imports) is reported too.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))
const SOURCE = /\.(?:[cm]?ts|tsx)$/
const DECLARATION = /\.d\.[cm]?ts$/

/** The src folders of every package and example, relative to the repository root. */
function defaultFolders() {
  const folders = []
  for (const group of ['packages', 'examples']) {
    const dir = path.join(root, group)
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir).sort()) {
      if (existsSync(path.join(dir, name, 'src'))) folders.push(path.join(group, name, 'src'))
    }
  }
  return folders
}

function sourceFiles(dir) {
  const files = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== 'node_modules') files.push(...sourceFiles(file))
    else if (entry.isFile() && SOURCE.test(entry.name) && !DECLARATION.test(entry.name)) files.push(file)
  }
  return files.sort()
}

/** Every module specifier of a file, with whether the import is type-only. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS)
  const found = []
  const add = (literal, typeOnly) => {
    if (literal !== undefined && ts.isStringLiteralLike(literal)) found.push({ specifier: literal.text, typeOnly })
  }
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause
      const named = clause?.namedBindings
      // `import { type A, type B } from` is type-only too (verbatimModuleSyntax drops it).
      const allTypes = named !== undefined && ts.isNamedImports(named) && clause.name === undefined && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)
      add(node.moduleSpecifier, clause?.isTypeOnly === true || allTypes)
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause
      const allTypes = named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)
      add(node.moduleSpecifier, node.isTypeOnly || allTypes)
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** The file a relative specifier names, or undefined. */
function resolveRelative(fromFile, specifier) {
  const target = path.resolve(path.dirname(fromFile), specifier)
  const candidates = [target]
  const js = /\.([cm]?)js(x?)$/.exec(target)
  if (js) {
    const stem = target.slice(0, -js[0].length)
    candidates.unshift(`${stem}.${js[1]}ts${js[2]}`, `${stem}.d.${js[1]}ts`)
  }
  if (!path.extname(target)) candidates.push(`${target}.ts`, `${target}.tsx`, `${target}.d.ts`)
  candidates.push(path.join(target, 'index.ts'), path.join(target, 'index.tsx'))
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile())
}

/** The package a bare specifier names: '@scope/name' or 'name', without a subpath. */
function packageOf(specifier) {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/**
 * The strongly connected components of a graph with more than one node (or a node importing
 * itself): exactly the nodes that lie on a cycle. Tarjan's algorithm, iterative.
 */
function tangledComponents(graph) {
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const components = []
  let next = 0
  for (const start of graph.keys()) {
    if (index.has(start)) continue
    const work = [{ node: start, edges: [...(graph.get(start) ?? new Map()).keys()], at: 0 }]
    index.set(start, next)
    low.set(start, next++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const frame = work[work.length - 1]
      if (frame.at < frame.edges.length) {
        const to = frame.edges[frame.at++]
        if (!index.has(to)) {
          index.set(to, next)
          low.set(to, next++)
          stack.push(to)
          onStack.add(to)
          work.push({ node: to, edges: [...(graph.get(to) ?? new Map()).keys()], at: 0 })
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(to)))
        }
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1].node
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)))
      }
      if (low.get(frame.node) !== index.get(frame.node)) continue
      const component = []
      let member
      do {
        member = stack.pop()
        onStack.delete(member)
        component.push(member)
      } while (member !== frame.node)
      if (component.length > 1 || graph.get(frame.node)?.has(frame.node)) components.push(component.sort())
    }
  }
  return components
}

/** The shortest cycle through `start` inside one component (breadth-first), as a list of nodes. */
function shortestCycle(graph, component, start) {
  const inside = new Set(component)
  const previous = new Map()
  let frontier = [start]
  while (frontier.length > 0) {
    const following = []
    for (const node of frontier) {
      for (const to of (graph.get(node) ?? new Map()).keys()) {
        if (!inside.has(to)) continue
        if (to === start) {
          const cycle = [start]
          for (let at = node; at !== start; at = previous.get(at)) cycle.splice(1, 0, at)
          return [...cycle, start]
        }
        if (previous.has(to)) continue
        previous.set(to, node)
        following.push(to)
      }
    }
    frontier = following
  }
  return undefined
}

/**
 * The cycles to show for a graph: for each tangled component, the shortest cycle through each of
 * its nodes, without repeats, so every node on a cycle is named in at least one.
 */
function findCycles(graph) {
  const cycles = []
  for (const component of tangledComponents(graph)) {
    const seen = new Set()
    for (const node of component) {
      const cycle = shortestCycle(graph, component, node)
      if (cycle === undefined) continue
      // The same cycle starts at each of its nodes: keep the rotation that starts at its smallest.
      const ring = cycle.slice(0, -1)
      const first = ring.indexOf([...ring].sort()[0])
      const rotated = [...ring.slice(first), ...ring.slice(0, first)]
      const id = rotated.join('\0')
      if (seen.has(id)) continue
      seen.add(id)
      cycles.push([...rotated, rotated[0]])
    }
  }
  return cycles
}

/** The import graph of one folder: file -> (imported file -> type-only?), plus unresolved specifiers. */
function importGraph(folder) {
  const graph = new Map()
  const unresolved = []
  const packages = new Set()
  for (const file of sourceFiles(folder)) {
    const edges = new Map()
    graph.set(file, edges)
    for (const { specifier, typeOnly } of importsOf(file)) {
      if (!specifier.startsWith('.')) {
        if (!specifier.startsWith('node:')) packages.add(packageOf(specifier))
        continue
      }
      const target = resolveRelative(file, specifier)
      if (target === undefined) {
        unresolved.push(`${shown(file)}: '${specifier}' names no file`)
        continue
      }
      // A file imported both ways is a value import.
      edges.set(target, (edges.get(target) ?? true) && typeOnly)
    }
  }
  return { graph, unresolved, packages }
}

function describe(cycle, graph, base) {
  const names = cycle.map((file) => path.relative(base, file))
  const typeLinks = []
  for (let i = 0; i + 1 < cycle.length; i++) {
    if (graph.get(cycle[i])?.get(cycle[i + 1]) === true) typeLinks.push(`${names[i]} → ${names[i + 1]}`)
  }
  return names.join(' → ') + (typeLinks.length > 0 ? `   (type-only: ${typeLinks.join(', ')})` : '')
}

/** A path as printed: from the repository root when inside it, else as it is. */
function shown(file) {
  const inside = path.relative(root, file)
  return inside === '' ? '.' : inside.startsWith('..') ? file : inside
}

function packageName(folder) {
  const manifest = path.join(folder, '..', 'package.json')
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).name : undefined
}

function main(args) {
  const folders = args.length > 0 ? args.map((folder) => path.resolve(folder)) : defaultFolders().map((folder) => path.join(root, folder))
  let cycleCount = 0
  const unresolved = []
  const packageGraph = new Map()
  for (const folder of folders) {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      console.error(`check-cycles: ${folder} is not a folder`)
      process.exit(2)
    }
    const { graph, unresolved: missing, packages } = importGraph(folder)
    unresolved.push(...missing)
    const name = packageName(folder)
    if (name !== undefined) packageGraph.set(name, new Map([...packages].map((to) => [to, false])))
    const cycles = findCycles(graph)
    const label = shown(folder)
    if (cycles.length === 0) {
      console.log(`${label}: no import cycle (${graph.size} files)`)
      continue
    }
    cycleCount += cycles.length
    console.log(`${label}: ${cycles.length} import cycle${cycles.length === 1 ? '' : 's'}`)
    for (const cycle of cycles) console.log(`  ${describe(cycle, graph, folder)}`)
  }
  // Between packages: only the workspace packages scanned here are nodes.
  for (const edges of packageGraph.values()) for (const to of edges.keys()) if (!packageGraph.has(to)) edges.delete(to)
  const packageCycles = findCycles(packageGraph)
  if (packageCycles.length > 0) {
    cycleCount += packageCycles.length
    console.log(`between packages: ${packageCycles.length} import cycle${packageCycles.length === 1 ? '' : 's'}`)
    for (const cycle of packageCycles) console.log(`  ${cycle.join(' → ')}`)
  }
  if (unresolved.length > 0) {
    console.error(`check-cycles: ${unresolved.length} relative import(s) resolve to no file, so cycles through them cannot be checked:`)
    for (const line of unresolved) console.error(`  ${line}`)
    process.exit(2)
  }
  if (cycleCount > 0) {
    console.log(`check-cycles: ${cycleCount} import cycle${cycleCount === 1 ? '' : 's'}: move what both sides need into a file of its own`)
    process.exit(1)
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2))
