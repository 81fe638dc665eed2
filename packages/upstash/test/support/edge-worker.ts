/**
 * A worker entry bundled by the edge tests (edge-bundle.ts) and run, unchanged, in Vercel's
 * edge-runtime and in Cloudflare's workerd. `GET /<scenario>?run=<id>` runs one scenario against
 * the Upstash bridge named by the bindings and answers JSON; `run` keeps each test's keys apart.
 * Most scenarios create a cache per request and close it before answering, so every background
 * write has landed; `module-scope-stalled` keeps one cache for the isolate, as workers usually do
 * (workerd ends a request's timers with the request: that cache must still keep its deadline).
 */
import { createCache, type Cache, type CacheLogger } from '@cachette/core'
import { upstashDriver } from '@cachette/upstash'

/** The bindings (workerd) or env (edge-runtime) the worker is configured from; all strings. */
export interface EdgeWorkerEnv {
  readonly UPSTASH_URL: string
  readonly UPSTASH_TOKEN: string
  /** A loopback port nothing listens on (connections refused). */
  readonly CLOSED_UPSTASH_URL: string
  /** A loopback server that accepts connections and never answers. */
  readonly STALLED_UPSTASH_URL: string
  readonly CACHE_PREFIX: string
  readonly DEADLINE_MS: string
}

type Scenario = (env: EdgeWorkerEnv, run: string) => Promise<unknown>

/** What the cache logged during one scenario. */
type Warnings = { message: string; fields: unknown }[]

/**
 * The deadline on the live bridge: the happy-path scenarios test results, not timing, and a
 * loaded CI machine once took longer than 200 ms for a SCAN over HTTP (deletePattern counted 0
 * and the reads after it missed). The unreachable-store scenarios keep `DEADLINE_MS`, their subject.
 */
const LIVE_DEADLINE_MS = 10_000

function openCache(env: EdgeWorkerEnv, url: string, logger: CacheLogger | undefined): Cache {
  const live = url === env.UPSTASH_URL
  const deadlineMs = live ? LIVE_DEADLINE_MS : Number(env.DEADLINE_MS)
  // The driver's own per-command deadline sits above the cache's, so the cache's is the one that
  // acts. On the live bridge the driver keeps its default retry of a request whose connection
  // failed (a loaded CI machine saw deletePattern's SCAN fail once in workerd, counted 0); the
  // unreachable-store scenarios retry nothing, so each call's time is one attempt.
  const driver = upstashDriver({ url, token: env.UPSTASH_TOKEN, timeoutMs: deadlineMs * 4, ...(live ? {} : { retries: 0 }) })
  return createCache({ driver, prefix: env.CACHE_PREFIX, deadlineMs, ttl: '1m', env: false, ...(logger === undefined ? {} : { logger }) })
}

async function withCache<T>(env: EdgeWorkerEnv, url: string, work: (cache: Cache) => Promise<T>, warnings?: Warnings): Promise<T> {
  const cache = openCache(env, url, warnings === undefined ? undefined : { warn: (message, fields) => warnings.push({ message, fields }) })
  try {
    return await work(cache)
  } finally {
    await cache.close({ driver: true })
  }
}

/** Miss then hit on one cache, then a hit on a second cache (nothing kept in this isolate's memory). */
const getOrSetScenario: Scenario = (env, run) => {
  let loaderCalls = 0
  const load = async () => ({ n: ++loaderCalls, run })
  const key = `${run}:profile`
  return withCache(env, env.UPSTASH_URL, async (cache) => {
    const first = await cache.getOrSet(key, load)
    const callsAfterFirst = loaderCalls
    const second = await cache.getOrSet(key, load)
    const fromOtherCache = await withCache(env, env.UPSTASH_URL, (other) => other.getOrSet(key, load))
    return { first, second, fromOtherCache, callsAfterFirst, callsAfterAll: loaderCalls }
  })
}

/** A tagged entry is loaded again after invalidateTags; an entry under another tag is not. */
const invalidateTagsScenario: Scenario = (env, run) => {
  const calls = { tagged: 0, other: 0 }
  const loadTagged = async () => ++calls.tagged
  const loadOther = async () => ++calls.other
  const tagged = { tags: [`${run}:ward`] }
  const other = { tags: [`${run}:other`] }
  return withCache(env, env.UPSTASH_URL, async (cache) => {
    await cache.getOrSet(`${run}:a`, loadTagged, tagged)
    await cache.getOrSet(`${run}:b`, loadOther, other)
    const beforeInvalidation = await cache.getOrSet(`${run}:a`, loadTagged, tagged)
    await cache.invalidateTags([`${run}:ward`])
    const afterInvalidation = await cache.getOrSet(`${run}:a`, loadTagged, tagged)
    const otherAfter = await cache.getOrSet(`${run}:b`, loadOther, other)
    return { beforeInvalidation, afterInvalidation, otherAfter, calls }
  })
}

/** deletePattern removes the entries under the glob (by SCAN over HTTP) and leaves the others. */
const deletePatternScenario: Scenario = (env, run) =>
  withCache(env, env.UPSTASH_URL, async (cache) => {
    const written = await Promise.all([cache.set(`${run}:p:1`, 'one'), cache.set(`${run}:p:2`, 'two'), cache.set(`${run}:q:1`, 'kept')])
    const deleted = await cache.deletePattern(`${run}:p:*`)
    const after = await Promise.all([cache.get(`${run}:p:1`), cache.get(`${run}:p:2`), cache.get(`${run}:q:1`)])
    return { written, deleted, after }
  })

interface TimedCall {
  readonly value?: unknown
  readonly rejected?: string
  readonly ms: number
}

async function timed(call: () => Promise<unknown>): Promise<TimedCall> {
  const started = Date.now()
  try {
    const value = await call()
    return { value, ms: Date.now() - started }
  } catch (error) {
    return { rejected: error instanceof Error ? error.name : 'unknown', ms: Date.now() - started }
  }
}

/** Store unreachable: every getOrSet is answered by its loader, three in a row then three at once. */
const unreachableScenario =
  (url: (env: EdgeWorkerEnv) => string): Scenario =>
  async (env, run) => {
    const warnings: Warnings = []
    const calls = await withCache(
      env,
      url(env),
      async (cache) => {
        let loaderCalls = 0
        const load = async () => ++loaderCalls
        const sequential: TimedCall[] = []
        for (let i = 0; i < 3; i++) sequential.push(await timed(() => cache.getOrSet(`${run}:s:${i}`, load)))
        const concurrent = await Promise.all([0, 1, 2].map((i) => timed(() => cache.getOrSet(`${run}:c:${i}`, load))))
        return { sequential, concurrent, loaderCalls }
      },
      warnings,
    )
    // After close(): the writes that were still waiting for the store have been logged too.
    return { ...calls, warnings }
  }

/** One cache for the whole isolate, as a worker usually keeps it (only this scenario does). */
let moduleScopeCache: Cache | undefined

/** One getOrSet on a cache kept at module scope, on the server that never answers. */
const moduleScopeScenario: Scenario = async (env, run) => {
  moduleScopeCache ??= openCache(env, env.STALLED_UPSTASH_URL, { warn: () => {} })
  const cache = moduleScopeCache
  return timed(() => cache.getOrSet(`${run}:m`, async () => 'loaded'))
}

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'get-or-set': getOrSetScenario,
  'invalidate-tags': invalidateTagsScenario,
  'delete-pattern': deletePatternScenario,
  'closed-bridge': unreachableScenario((env) => env.CLOSED_UPSTASH_URL),
  'stalled-bridge': unreachableScenario((env) => env.STALLED_UPSTASH_URL),
  'module-scope-stalled': moduleScopeScenario,
}

/** The worker: module syntax, as Cloudflare Workers and Vercel Edge functions export it. */
export default {
  async fetch(request: Request, env: EdgeWorkerEnv): Promise<Response> {
    const url = new URL(request.url)
    const scenario = SCENARIOS[url.pathname.slice(1)]
    const run = url.searchParams.get('run')
    if (scenario === undefined || run === null) return Response.json({ error: 'unknown scenario or no run id' }, { status: 404 })
    try {
      return Response.json({ result: await scenario(env, run) })
    } catch (error) {
      // Only the error's class and code: never a key or a value.
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined
      return Response.json({ error: error instanceof Error ? error.name : 'unknown', code }, { status: 500 })
    }
  },
}
