/** Test helpers: steady traffic against a cache while a test breaks the server. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** What the traffic saw. */
export interface TrafficReport {
  readonly calls: number
  /** Calls whose result was not what the check expected. */
  readonly wrong: string[]
  /** Calls that rejected (getOrSet must never). */
  readonly rejected: number
  /** The slowest call, in ms. */
  readonly slowestMs: number
}

/**
 * Starts a call every `everyMs` (without waiting for the previous one, as independent requests
 * do) until `whileRunning` resolves, then waits for every call to settle. `call(i)` returns the
 * value it got and the value it should have got.
 */
export async function runTraffic(
  call: (i: number) => Promise<{ got: unknown; expected: unknown }>,
  everyMs: number,
  whileRunning: () => Promise<void>,
): Promise<TrafficReport> {
  const wrong: string[] = []
  let rejected = 0
  let slowestMs = 0
  let calls = 0
  const inFlight: Promise<void>[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      const i = calls++
      const started = performance.now()
      inFlight.push(
        call(i).then(
          ({ got, expected }) => {
            if (got !== expected) wrong.push(`call ${i}: got ${String(got)}, expected ${String(expected)}`)
          },
          () => {
            rejected++
          },
        ).finally(() => {
          slowestMs = Math.max(slowestMs, performance.now() - started)
        }),
      )
      await sleep(everyMs)
    }
  })()
  try {
    await whileRunning()
  } finally {
    running = false
    await loop
    await Promise.all(inFlight)
  }
  return { calls, wrong, rejected, slowestMs }
}

/** Polls `attempt` until it resolves true, at most `timeoutMs`; resolves whether it did. */
export async function eventually(attempt: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await attempt().catch(() => false)) return true
    await sleep(25)
  }
  return false
}

/** A random key prefix per test (with a hash tag, so batches stay valid on a cluster). */
export function randomPrefix(label: string): string {
  return `${label}:${Math.random().toString(36).slice(2, 10)}`
}
