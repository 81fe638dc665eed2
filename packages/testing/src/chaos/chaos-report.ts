import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ChaosResult } from './chaos-scenario.js'

/**
 * Saves results as `<dir>/<name>.json` (one file per store setup, so suites running in parallel
 * never write the same file). In the Cachette repository, `scripts/chaos-table.mjs [dir]` (not
 * shipped in this package) prints them all as one Markdown table.
 *
 * @example
 * ```ts
 * afterAll(() => writeChaosResults(new URL('../../../.tmp/chaos/', import.meta.url).pathname, 'ioredis-standalone', results))
 * ```
 */
export function writeChaosResults(dir: string, name: string, results: readonly ChaosResult[]): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`)
}
