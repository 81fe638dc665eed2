import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Seed 002's Python service (test/fixtures/fhir_cache_service.py: redis-py, json.dumps + SETEX,
 * json.loads) run against a redis-server. Needs Debian's python3-redis for the system interpreter;
 * CACHETTE_PYTHON names another one.
 */
const SERVICE = fileURLToPath(new URL('../fixtures/fhir_cache_service.py', import.meta.url))
const PYTHON = process.env['CACHETTE_PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')

/** One command of the Python service against the server at `url`, its printed JSON parsed. */
export function pythonService(url: string, ...args: string[]): Record<string, unknown> {
  const run = spawnSync(PYTHON, [SERVICE, url, ...args], { encoding: 'utf8', timeout: 15_000 })
  if (run.error !== undefined) throw run.error
  if (run.status !== 0) throw new Error(`the Python service exited with ${run.status}: ${run.stderr}`)
  return JSON.parse(run.stdout) as Record<string, unknown>
}
