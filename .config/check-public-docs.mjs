// Checks the JSDoc of the public API: every function, class and constant a package exports has an
// `@example`, and so does every method of an exported interface and every public method of an
// exported class; every property of an exported `…Options` type has an `@example`, plus a
// `@default` when it is optional. Run by `.ci/run` (`pnpm lint:docs`); prints what is missing.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))

function entryPoints() {
  const entries = new Set()
  for (const name of readdirSync(path.join(root, 'packages'))) {
    const dir = path.join(root, 'packages', name)
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
    if (manifest.private) continue
    const walk = (value) => {
      if (value === null || typeof value !== 'object') return
      for (const [condition, target] of Object.entries(value)) {
        if (condition === '@cachette/source' && typeof target === 'string') entries.add(path.join(dir, target))
        else walk(target)
      }
    }
    walk(manifest.exports)
  }
  return [...entries]
}

const tags = (node) => (node.jsDoc ?? []).map((doc) => doc.getFullText()).join('\n')

function membersOf(declaration) {
  if (ts.isInterfaceDeclaration(declaration)) return declaration.members
  if (ts.isTypeAliasDeclaration(declaration) && ts.isTypeLiteralNode(declaration.type)) return declaration.type.members
  return []
}

/** Methods a user calls: those of an exported interface, and the public ones of an exported class. */
function methodsOf(declaration) {
  if (ts.isInterfaceDeclaration(declaration)) return declaration.members.filter((member) => ts.isMethodSignature(member) && member.name)
  if (!ts.isClassDeclaration(declaration)) return []
  const hidden = ts.ModifierFlags.Private | ts.ModifierFlags.Protected
  return declaration.members.filter(
    (member) => ts.isMethodDeclaration(member) && ts.isIdentifier(member.name) && (ts.getCombinedModifierFlags(member) & hidden) === 0,
  )
}

function problemsOf(symbolName, declaration) {
  const problems = []
  if (ts.isFunctionDeclaration(declaration) || ts.isClassDeclaration(declaration) || ts.isVariableDeclaration(declaration)) {
    const documented = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration
    if (!/@example/.test(tags(documented))) problems.push(`${symbolName}: no @example`)
  }
  for (const member of methodsOf(declaration)) {
    if (!/@example/.test(tags(member))) problems.push(`${symbolName}.${member.name.getText()}(): no @example`)
  }
  if (symbolName.endsWith('Options')) {
    for (const member of membersOf(declaration)) {
      if (!member.name) continue
      const doc = tags(member)
      const where = `${symbolName}.${member.name.getText()}`
      if (!/@example/.test(doc)) problems.push(`${where}: no @example`)
      if (member.questionToken && !/@default/.test(doc)) problems.push(`${where}: optional without @default`)
    }
  }
  return problems
}

const entries = entryPoints()
const program = ts.createProgram(entries, {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
  customConditions: ['@cachette/source'],
  strict: true,
  skipLibCheck: true,
  noEmit: true,
})
const checker = program.getTypeChecker()
const problems = new Set()
for (const entry of entries) {
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry))
  for (const exported of module ? checker.getExportsOfModule(module) : []) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    for (const declaration of symbol.declarations ?? []) {
      const file = path.relative(root, declaration.getSourceFile().fileName)
      if (file.includes('node_modules')) continue
      for (const problem of problemsOf(exported.name, declaration)) problems.add(`${file}: ${problem}`)
    }
  }
}

if (problems.size > 0) {
  console.error([...problems].sort().join('\n'))
  console.error(`docs: ${problems.size} public API item(s) without the JSDoc they need`)
  process.exit(1)
}
console.log(`docs: every public function, method, constant and option of ${entries.length} entry points has its @example`)
