import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const checker = path.join(root, '.config/check-cycles.mjs')

/** Runs the checker `pnpm lint:cycles` runs (CI runs it on every package) on the given folders. */
function checkCycles(...folders: string[]) {
  const run = spawnSync(process.execPath, [checker, ...folders], { cwd: root, encoding: 'utf8' })
  return { status: run.status, output: run.stdout + run.stderr }
}

const fixtures: string[] = []

/** A scratch folder holding the given files (path -> source). */
function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cachette-cycles-'))
  fixtures.push(dir)
  for (const [name, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), source)
  }
  return dir
}

afterEach(() => {
  for (const dir of fixtures.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('no import cycles', () => {
  it('core has none, type-only imports included', () => {
    const { status, output } = checkCycles('packages/core/src')
    expect(output).toContain('packages/core/src: no import cycle')
    expect(status).toBe(0)
  })

  it('names a cycle made of a type import, a folder index and a re-export, and exits 1', () => {
    const dir = fixture({
      'a.ts': "import type { C } from './b.js'\nexport const a = 1\nexport type A = C\n",
      'b.ts': "import { c, type C } from './c'\nexport const b = c\nexport type { C }\n",
      'c/index.ts': "export { a } from '../a.js'\nexport const c = 3\nexport type C = number\n",
      // Not on the cycle: it imports a.ts, and only mentions imports of itself in a comment and a string.
      'd.ts': "// import { d } from './d.js'\nimport { a } from './a.js'\nexport const d = `import('./d.js')` + a\n",
    })
    const { status, output } = checkCycles(dir)
    expect(output).toContain('a.ts → b.ts → c/index.ts → a.ts')
    expect(output).toContain('type-only: a.ts → b.ts')
    expect(output).not.toContain('d.ts')
    expect(status).toBe(1)
  })

  it('exits 0 once the cycle is broken', () => {
    const dir = fixture({
      'a.ts': "import type { C } from './c.js'\nexport type A = C\n",
      'c.ts': 'export type C = number\n',
    })
    expect(checkCycles(dir).status).toBe(0)
  })

  it('refuses a relative import it cannot resolve (a cycle could hide behind it), exit 2', () => {
    const dir = fixture({ 'a.ts': "import { gone } from './gone.js'\nexport const a = gone\n" })
    const { status, output } = checkCycles(dir)
    expect(output).toContain("'./gone.js' names no file")
    expect(status).toBe(2)
  })
})
