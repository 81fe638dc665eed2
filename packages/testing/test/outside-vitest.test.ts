import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/*
 * runDriverConformance() registers vitest tests. Called from plain node (or Jest, node:test) it
 * used to die inside vitest's runner with "Cannot read properties of undefined (reading 'config')";
 * it must throw a CacheError (UNSUPPORTED) that says where to call it instead.
 */

const fixture = fileURLToPath(new URL('./fixtures/conformance-outside-vitest.ts', import.meta.url))
// The repo's one tsx install, as packages/ioredis/scripts/measure-failures.ts uses it.
const tsxLoader = fileURLToPath(new URL('../../../examples/quickstart/node_modules/tsx/dist/esm/index.mjs', import.meta.url))

interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

function runNode(env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@cachette/source', '--import', tsxLoader, fixture], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** This process's environment without what vitest sets (VITEST, VITEST_WORKER_ID, VITEST_POOL_ID...). */
function envWithoutVitest(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')))
}

describe('runDriverConformance outside vitest', () => {
  it('has the tsx loader it spawns node with', () => {
    expect(existsSync(tsxLoader), tsxLoader).toBe(true)
  })

  it.each([
    ['a clean environment', envWithoutVitest()],
    // A child of a vitest worker inherits VITEST=true: the check must not trust the environment.
    ['the VITEST variables a child of vitest inherits', { ...envWithoutVitest(), VITEST: 'true', VITEST_MODE: 'RUN', VITEST_WORKER_ID: '1', VITEST_POOL_ID: '1' }],
  ])('throws a clear UNSUPPORTED CacheError from plain node, with %s', async (_, env) => {
    const outcome = await runNode(env)
    expect(outcome.code, outcome.stderr).not.toBe(0)
    expect(outcome.stderr).toContain('CacheError: [@cachette/testing] runDriverConformance() registers vitest tests: call it at the top level of a test file that vitest runs')
    expect(outcome.stderr).toContain("code: 'UNSUPPORTED'")
    expect(outcome.stderr).not.toContain("reading 'config'")
    // It refused before touching vitest or the driver.
    expect(outcome.stdout).toBe('')
  }, 30_000)
})
