#!/usr/bin/env node
// Prints the chaos suite's results (written by the chaos tests with writeChaosResults) as one
// Markdown table, the one docs/resilience.md shows.
//
//   pnpm vitest run --config vitest.workspace.ts --project ioredis --project upstash chaos
//   node packages/testing/scripts/chaos-table.mjs            # reads .tmp/chaos/*.json
//   node packages/testing/scripts/chaos-table.mjs some/dir   # or another directory
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)))
const dir = resolve(process.argv[2] ?? join(repoRoot, '.tmp', 'chaos'))

let files
try {
  files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort()
} catch {
  files = []
}
if (files.length === 0) {
  console.error(`No chaos results in ${dir}: run the chaos tests first (see docs/resilience.md).`)
  process.exit(1)
}
const results = files.flatMap((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')))

const columns = [
  ['store', (r) => r.store],
  ['fault', (r) => r.fault],
  ['calls', (r) => r.calls],
  ['failed', (r) => r.failed],
  ['p99 during fault (ms)', (r) => r.p99FaultMs],
  ['max during fault (ms)', (r) => r.maxFaultMs],
  ['deadline (ms)', (r) => r.deadlineMs],
  ['recovery after heal (ms)', (r) => (r.recoveryMs === null ? 'not recovered' : r.recoveryMs)],
  ['loader calls / distinct keys', (r) => `${r.loaderCalls} / ${r.distinctKeys}`],
  ['invalidations queued', (r) => r.invalidationsQueued],
  ['stale entry after heal', (r) => (r.invalidationApplied ? 'none' : 'STALE')],
]
const line = (cells) => `| ${cells.join(' | ')} |`
console.log(line(columns.map(([name]) => name)))
console.log(line(columns.map(() => '---')))
for (const result of results) console.log(line(columns.map(([, cell]) => String(cell(result)))))
const failed = results.reduce((sum, r) => sum + r.failed, 0)
const calls = results.reduce((sum, r) => sum + r.calls, 0)
console.log(`\n${results.length} faults, ${calls} calls, ${failed} failed.`)
