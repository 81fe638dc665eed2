import { writeFileSync } from 'node:fs'
import { resolveConfig } from './config.js'
import { renderReport } from './report.js'
import { runBench } from './run-bench.js'

/**
 * `pnpm bench` (from the repository root) builds @cachette/* with tsup and runs everything against
 * the builds, which is what users install (`bench:sources` runs on the TypeScript sources); `pnpm bench -- --smoke` or
 * `BENCH_SMOKE=1 pnpm bench` runs the short version; `--only memory-hit,stampede` (or store
 * names: memory, redis, cluster) runs a part; `--json <file>` also writes the raw results.
 * Progress goes to stderr, the markdown report to stdout.
 */
// `pnpm bench -- --smoke` hands the script a literal '--' before the flags.
const argv = process.argv.slice(2).filter((arg) => arg !== '--')
const config = resolveConfig(process.env, argv)
const jsonIndex = argv.indexOf('--json')
const jsonFile = jsonIndex >= 0 ? argv[jsonIndex + 1] : undefined
const script = process.env.npm_lifecycle_event === 'bench:sources' ? 'pnpm --filter @cachette/bench bench:sources' : 'pnpm bench'
const command = `${config.smoke && !argv.includes('--smoke') ? 'BENCH_SMOKE=1 ' : ''}${script}${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`

const report = await runBench(config, (line) => process.stderr.write(`${line}\n`), command)
process.stdout.write(`${renderReport(report)}\n`)
if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify(report, (key, value: unknown) => (value instanceof Set ? [...value] : value), 2)}\n`)
