import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Seed 002's Python service (test/fixtures/seed_fhir_cache.py: redis-py, json.dumps + SETEX,
 * json.loads) against a redis-server. Needs Debian's python3-redis for the system interpreter;
 * CACHETTE_PYTHON names another one.
 */
const SCRIPT = fileURLToPath(new URL('../fixtures/seed_fhir_cache.py', import.meta.url))
const PYTHON = process.env['CACHETTE_PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')

/**
 * One command of the Python service against the server at `url`, its printed JSON parsed.
 *
 * @example
 * ```ts
 * seedPython(redis.url, 'read', 'venues', '1') // { bundle: {...}, ttl: 299 }
 * ```
 */
export function seedPython(url: string, ...args: string[]): Record<string, unknown> {
  const run = spawnSync(PYTHON, [SCRIPT, url, ...args], { encoding: 'utf8', timeout: 15_000 })
  if (run.error !== undefined) throw run.error
  if (run.status !== 0) throw new Error(`the Python service exited with ${run.status}: ${run.stderr}`)
  return JSON.parse(run.stdout) as Record<string, unknown>
}
