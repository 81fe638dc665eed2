// `pnpm demo [example]`: runs one of examples/ with its own `start` script; the quickstart when no
// name is given. `pnpm demo patient-api` starts the patient API (PGlite and memory by default).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const examplesDir = fileURLToPath(new URL('../examples/', import.meta.url))
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${examplesDir}${entry.name}/package.json`))
  .map((entry) => entry.name)
const name = process.argv[2] ?? 'quickstart'
if (!examples.includes(name)) {
  console.error(`demo: there is no example named '${name}'; run one of: ${examples.map((example) => `pnpm demo ${example}`).join(', ')}`)
  process.exit(2)
}
const run = spawnSync('pnpm', ['--filter', `./examples/${name}`, 'start'], { stdio: 'inherit' })
process.exit(run.status ?? 1)
