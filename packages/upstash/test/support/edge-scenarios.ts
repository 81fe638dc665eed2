/**
 * The assertions both edge runtimes must pass, on the worker of edge-worker.ts: each runtime's
 * test file only says how to start the bundle and send it a request.
 */
import { expect, it } from 'vitest'
import { bridgeClient } from './upstash-server.js'
import { EDGE_DEADLINE_MS, type EdgeTargets } from './edge-targets.js'

/** What the worker answered, and how long the request took seen from Node. */
export interface WorkerAnswer {
  readonly status: number
  readonly body: { result?: unknown; error?: string; code?: string }
  readonly ms: number
}

/** Sends `GET /<scenario>?run=<id>` to the worker running in one runtime. */
export type SendToWorker = (path: string) => Promise<WorkerAnswer>

/** Slack over the deadline for one call: timers and a loaded 2-core machine. */
const SLACK_MS = 100

interface TimedCall {
  readonly value?: unknown
  readonly rejected?: string
  readonly ms: number
}

function freshRun(): string {
  return Math.random().toString(36).slice(2, 10)
}

async function runScenario(send: SendToWorker, scenario: string, run = freshRun()): Promise<Record<string, unknown>> {
  const answer = await send(`/${scenario}?run=${run}`)
  expect(answer.body.error, `worker error ${answer.body.error ?? ''} ${answer.body.code ?? ''}`).toBeUndefined()
  expect(answer.status).toBe(200)
  return answer.body.result as Record<string, unknown>
}

interface Warning {
  readonly message: string
  readonly fields: { readonly code?: string }
}

/** The store failures were logged, with the expected code, and no log line names a key. */
function expectWarnings(result: Record<string, unknown>, run: string, code: string): void {
  const warnings = result.warnings as Warning[]
  expect(warnings.length).toBeGreaterThan(0)
  expect(new Set(warnings.map((warning) => warning.fields.code))).toEqual(new Set([code]))
  expect(JSON.stringify(warnings)).not.toContain(run)
}

function expectAllAnsweredByTheLoader(result: Record<string, unknown>): TimedCall[] {
  const calls = [...(result.sequential as TimedCall[]), ...(result.concurrent as TimedCall[])]
  expect(calls.map((call) => call.rejected)).toEqual(calls.map(() => undefined))
  // Six keys, six loads, each caller got its own load's value.
  expect(calls.map((call) => call.value).sort()).toEqual([1, 2, 3, 4, 5, 6])
  expect(result.loaderCalls).toBe(6)
  for (const call of calls) expect(call.ms).toBeLessThanOrEqual(EDGE_DEADLINE_MS + SLACK_MS)
  return calls
}

/** Declares the scenario tests; `send` and `targets` are read when each test runs. */
export function edgeScenarioTests(send: () => SendToWorker, targets: () => EdgeTargets): void {
  it('getOrSet: a miss runs the loader once, the hit is read back over HTTP, from a second cache too', async () => {
    const run = freshRun()
    const result = await runScenario(send(), 'get-or-set', run)
    expect(result).toEqual({ first: { n: 1, run }, second: { n: 1, run }, fromOtherCache: { n: 1, run }, callsAfterFirst: 1, callsAfterAll: 1 })
    // The entry is in the real redis-server, under the worker's prefix.
    const { server, env } = targets()
    expect(await bridgeClient(server).exists(`${env.CACHE_PREFIX}:${run}:profile`)).toBe(1)
  })

  it('invalidateTags: the tagged entry is loaded again, an entry under another tag is not', async () => {
    const result = await runScenario(send(), 'invalidate-tags')
    expect(result).toEqual({ beforeInvalidation: 1, afterInvalidation: 2, otherAfter: 1, calls: { tagged: 2, other: 1 } })
  })

  it('deletePattern: the entries under the glob are gone, the others stay', async () => {
    const result = await runScenario(send(), 'delete-pattern')
    // JSON turns a miss (undefined) into null.
    expect(result).toEqual({ written: [true, true, true], deleted: 2, after: [null, null, 'kept'] })
  })

  it('a closed port: every getOrSet is answered by its loader within the deadline, none rejects', async () => {
    const run = freshRun()
    const answer = await send()(`/closed-bridge?run=${run}`)
    expect(answer.status).toBe(200)
    expectAllAnsweredByTheLoader(answer.body.result as Record<string, unknown>)
    expectWarnings(answer.body.result as Record<string, unknown>, run, 'DRIVER_FAILURE')
  })

  it('a server that never answers: the deadline bounds every getOrSet, each answered by its loader', async () => {
    const run = freshRun()
    const answer = await send()(`/stalled-bridge?run=${run}`)
    expect(answer.status).toBe(200)
    const calls = expectAllAnsweredByTheLoader(answer.body.result as Record<string, unknown>)
    expectWarnings(answer.body.result as Record<string, unknown>, run, 'DEADLINE_EXCEEDED')
    // The first read really waited for the deadline: the store was reached and hung, it did not fail fast.
    expect(calls[0]?.ms).toBeGreaterThanOrEqual(EDGE_DEADLINE_MS - 10)
  })

  it('a cache kept at module scope still enforces its deadline in every later request', async () => {
    // workerd ends a request's timers with it: a deadline timer shared across requests once never fired after the first.
    for (let request = 0; request < 3; request++) {
      const result = (await runScenario(send(), 'module-scope-stalled')) as unknown as TimedCall
      expect(result.rejected).toBeUndefined()
      expect(result.value).toBe('loaded')
      expect(result.ms).toBeLessThanOrEqual(EDGE_DEADLINE_MS + SLACK_MS)
    }
  })
}
