import type { Cache } from '@cachette/core'

/** One fault of the chaos suite, run by {@link runChaosScenario}. */
export interface ChaosScenarioOptions {
  /**
   * The store setup, for the report (`'ioredis standalone'`).
   * @example
   * ```ts
   * const result = await runChaosScenario({ store: 'ioredis Cluster', fault, cache, deadlineMs, inject, heal })
   * result.store // 'ioredis Cluster', the row of the chaos table
   * ```
   */
  readonly store: string
  /**
   * The fault, for the report (`'partition'`).
   * @example
   * ```ts
   * await runChaosScenario({ store, fault: 'partition', cache, deadlineMs, inject: () => proxy.partition(), heal: () => proxy.heal() })
   * ```
   */
  readonly fault: string
  /**
   * The cache under test, on the faulty store; the scenario uses keys below its prefix and never closes it.
   * @example
   * ```ts
   * const cache = createCache({ driver, prefix: 'chaos', deadlineMs: 200, circuitBreaker: true, env: false })
   * await runChaosScenario({ store, fault, cache, deadlineMs: 200, inject, heal })
   * await cache.close() // the caller's job
   * ```
   */
  readonly cache: Cache
  /**
   * Breaks the store (kill, freeze, partition...).
   * @example
   * ```ts
   * await runChaosScenario({ store, fault: 'store killed', cache, deadlineMs, inject: () => server.kill('SIGKILL'), heal })
   * ```
   */
  readonly inject: () => unknown
  /**
   * Repairs it; resolves once the repair was made (not once the cache noticed).
   * @example
   * ```ts
   * await runChaosScenario({ store, fault: 'store killed', cache, deadlineMs, inject, heal: () => server.restart() })
   * ```
   */
  readonly heal: () => unknown
  /**
   * The cache's `deadlineMs`, reported beside the latencies. It also paces the fault phase: after
   * `inject`, the scenario waits `min(2 × deadlineMs, faultMs / 2)` before it invalidates the probe
   * entry, so the cache has noticed the fault (deadlines, circuit) by then, as an application would.
   * @example
   * ```ts
   * const cache = createCache({ driver, deadlineMs: 200 })
   * await runChaosScenario({ store, fault, cache, deadlineMs: 200, inject, heal }) // p99FaultMs is read against 200
   * ```
   */
  readonly deadlineMs: number
  /**
   * Reads a raw entry straight from the store (bypassing the cache), to prove after the heal
   * that an entry invalidated during the fault is gone. Without it, only the cache's own read
   * proves it.
   * @default none
   * @example
   * ```ts
   * const direct = ioredisDriver({ url: server.url }) // straight to redis-server, not through the proxy
   * await runChaosScenario({ store, fault, cache, deadlineMs, inject, heal, readStore: (key) => direct.get(`${prefix}:${key}`) })
   * ```
   */
  readonly readStore?: (key: string) => Promise<string | null>
  /**
   * Distinct keys the traffic spreads over.
   * @default 100 (2000 with `CHAOS_SCALE=large`)
   * @example
   * ```ts
   * await runChaosScenario({ store, fault, cache, deadlineMs, inject, heal, keys: 10 }) // a few hot keys: mostly hits
   * ```
   */
  readonly keys?: number
  /**
   * Concurrent callers.
   * @default 8 (32 with `CHAOS_SCALE=large`)
   * @example
   * ```ts
   * await runChaosScenario({ store, fault, cache, deadlineMs, inject, heal, workers: 64 }) // more callers on the same keys
   * ```
   */
  readonly workers?: number
  /**
   * Pause between two calls of one caller, ms.
   * @default 5 (2 with `CHAOS_SCALE=large`)
   * @example
   * ```ts
   * await runChaosScenario({ store, fault, cache, deadlineMs, inject, heal, pauseMs: 20 }) // lighter traffic
   * ```
   */
  readonly pauseMs?: number
  /**
   * Traffic before the fault, ms.
   * @default 300 (1000 with `CHAOS_SCALE=large`)
   * @example
   * ```ts
   * await runChaosScenario({ store, fault, cache, deadlineMs, inject, heal, warmMs: 2_000 }) // a fuller cache when the fault starts
   * ```
   */
  readonly warmMs?: number
  /**
   * How long the fault lasts, ms.
   * @default 1500 (8000 with `CHAOS_SCALE=large`)
   * @example
   * ```ts
   * await runChaosScenario({ store, fault, cache, deadlineMs, inject, heal, faultMs: 10_000 }) // a 10 s outage
   * ```
   */
  readonly faultMs?: number
  /**
   * After the heal, how long to wait at most for the cache to hit the store again, ms.
   * @default 6000
   * @example
   * ```ts
   * await runChaosScenario({ store, fault, cache, deadlineMs, inject, heal, recoveryTimeoutMs: 20_000 }) // recoveryMs is null past 20 s
   * ```
   */
  readonly recoveryTimeoutMs?: number
  /**
   * A hard bound on calls, whatever the timings.
   * @default 1000000
   * @example
   * ```ts
   * await runChaosScenario({ store, fault, cache, deadlineMs, inject, heal, maxCalls: 5_000 }) // callers stop there; the phases keep their length
   * ```
   */
  readonly maxCalls?: number
}

/** What a scenario measured. Latencies are ms of `getOrSet` calls started during the fault. */
export interface ChaosResult {
  readonly store: string
  readonly fault: string
  /** getOrSet calls made (all phases). */
  readonly calls: number
  /** Calls that rejected or returned something else than the loader's value. */
  readonly failed: number
  /** Calls started while the fault lasted. */
  readonly faultCalls: number
  readonly p50FaultMs: number
  readonly p99FaultMs: number
  readonly maxFaultMs: number
  readonly deadlineMs: number
  /** From the heal to the first store hit; null when it did not recover within the timeout. */
  readonly recoveryMs: number | null
  /** Loader runs, against the distinct keys asked for. */
  readonly loaderCalls: number
  readonly distinctKeys: number
  /** Invalidations queued during the fault (the probe's, at least, when the store was unreachable). */
  readonly invalidationsQueued: number
  /** The probe entry invalidated during the fault was gone after the heal (no stale entry survived). */
  readonly invalidationApplied: boolean
  /** The circuit breaker's skipped store calls. */
  readonly circuitSkipped: number
  readonly durationMs: number
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Defaults sized for the normal test run (a few seconds per fault); `CHAOS_SCALE=large` in the
 * environment gives the longer, heavier run documented in docs/resilience.md.
 */
function scaleDefaults(): { keys: number; workers: number; pauseMs: number; warmMs: number; faultMs: number } {
  if (globalThis.process?.env?.['CHAOS_SCALE'] === 'large') return { keys: 2_000, workers: 32, pauseMs: 2, warmMs: 1_000, faultMs: 8_000 }
  return { keys: 100, workers: 8, pauseMs: 5, warmMs: 300, faultMs: 1_500 }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}

const round = (ms: number) => Math.round(ms * 10) / 10

/**
 * Drives sustained `getOrSet` traffic (many keys, many callers, bounded in calls and time)
 * through one fault and measures what callers saw: calls made and failed, latency during the
 * fault against the deadline, time to recover after the heal (first store hit), loader calls
 * against distinct keys, and whether an invalidation made during the fault was applied after it.
 *
 * @example
 * ```ts
 * const result = await runChaosScenario({
 *   store: 'ioredis standalone', fault: 'frozen', cache, deadlineMs: 200,
 *   inject: () => server.freeze(), heal: () => server.thaw(),
 * })
 * expect(result.failed).toBe(0)
 * ```
 */
export async function runChaosScenario(options: ChaosScenarioOptions): Promise<ChaosResult> {
  const { cache } = options
  const scale = scaleDefaults()
  const keys = options.keys ?? scale.keys
  const workers = options.workers ?? scale.workers
  const pauseMs = options.pauseMs ?? scale.pauseMs
  const faultMs = options.faultMs ?? scale.faultMs
  const maxCalls = options.maxCalls ?? 1_000_000
  const started = performance.now()
  const before = cache.stats()

  let calls = 0
  let failed = 0
  let loaderCalls = 0
  const asked = new Set<number>()
  const faultLatencies: number[] = []
  let faultFrom = Number.POSITIVE_INFINITY
  let faultTo = Number.POSITIVE_INFINITY
  let healedAt = Number.POSITIVE_INFINITY
  let firstHitAfterHeal: number | undefined
  const offHit = cache.on('hit', () => {
    if (firstHitAfterHeal === undefined && performance.now() >= healedAt) firstHitAfterHeal = performance.now()
  })

  let running = true
  const worker = async () => {
    while (running && calls < maxCalls) {
      const id = Math.floor(Math.random() * keys)
      asked.add(id)
      calls++
      const callStarted = performance.now()
      try {
        const value = await cache.getOrSet(`chaos:k:${id}`, async () => {
          loaderCalls++
          await sleep(1)
          return `v:${id}`
        })
        if (value !== `v:${id}`) failed++
      } catch {
        failed++
      }
      if (callStarted >= faultFrom && callStarted < faultTo) faultLatencies.push(performance.now() - callStarted)
      await sleep(pauseMs)
    }
  }
  const traffic = Promise.all(Array.from({ length: workers }, worker))

  // The probe: an entry written before the fault and invalidated during it.
  let database = 'old'
  const probeKey = 'chaos:probe'
  await cache.set(probeKey, database)
  await sleep(options.warmMs ?? scale.warmMs)

  faultFrom = performance.now()
  await options.inject()
  // Let the cache notice (deadlines, circuit) before invalidating, as an application would.
  await sleep(Math.min(options.deadlineMs * 2, faultMs / 2))
  database = 'new'
  await cache.invalidate(probeKey).catch(() => undefined)
  const queuedDuringFault = cache.stats().invalidationsQueued - before.invalidationsQueued
  await sleep(Math.max(0, faultMs - (performance.now() - faultFrom)))

  await options.heal()
  healedAt = performance.now()
  faultTo = healedAt
  const recoveryDeadline = healedAt + (options.recoveryTimeoutMs ?? 6000)
  while (firstHitAfterHeal === undefined && performance.now() < recoveryDeadline) await sleep(10)
  const recoveryMs = firstHitAfterHeal === undefined ? null : firstHitAfterHeal - healedAt

  // Queued invalidations drain once the store answers; then no stale entry may survive.
  while (cache.stats().invalidationsPending > 0 && performance.now() < recoveryDeadline + 3000) await sleep(20)
  running = false
  await traffic
  offHit()
  const raw = options.readStore === undefined ? null : await options.readStore(probeKey).catch(() => null)
  const seen = await cache.getOrSet(probeKey, () => database)
  const invalidationApplied = seen === database && (raw === null || !raw.endsWith('"old"'))

  const sorted = [...faultLatencies].sort((a, b) => a - b)
  const after = cache.stats()
  return {
    store: options.store,
    fault: options.fault,
    calls,
    failed,
    faultCalls: sorted.length,
    p50FaultMs: round(percentile(sorted, 50)),
    p99FaultMs: round(percentile(sorted, 99)),
    maxFaultMs: round(sorted.at(-1) ?? 0),
    deadlineMs: options.deadlineMs,
    recoveryMs: recoveryMs === null ? null : round(recoveryMs),
    loaderCalls,
    distinctKeys: asked.size,
    invalidationsQueued: queuedDuringFault,
    invalidationApplied,
    circuitSkipped: after.circuitSkipped - before.circuitSkipped,
    durationMs: Math.round(performance.now() - started),
  }
}
