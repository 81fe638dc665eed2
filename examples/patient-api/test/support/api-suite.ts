import { randomUUID } from 'node:crypto'
import { memoryDriver, type CacheLogger, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll } from 'vitest'
import { buildApp } from '../../src/app.js'
import { createAppCaches, type AppCaches } from '../../src/caches.js'
import type { Database } from '../../src/db/database.js'
import { createPrometheusMetrics, type PrometheusMetrics } from '../../src/metrics.js'

/** Which cache store a suite runs on. */
export type StoreKind = 'memory' | 'redis'

/** One app under test, with what a test needs to look behind it. */
export interface ApiContext {
  readonly app: FastifyInstance
  readonly caches: AppCaches
  readonly db: Database
  readonly metrics: PrometheusMetrics
  readonly etablissement: string
  /** The redis-server, in 'redis' suites. */
  readonly redis: RedisServerHandle | undefined
  /** Every line the app and its caches logged, since the suite started (see captureLogs). */
  readonly logs: readonly string[]
}

/** The lock secret the test apps use (the example's config requires one; see config.ts). */
export const TEST_LOCK_SECRET = 'test-patient-lock-secret-0123456789'

/** A pino destination and a Cachette logger writing into one array of lines. */
export function captureLogs(): { lines: string[]; stream: { write(line: string): void }; cacheLogger: CacheLogger } {
  const lines: string[] = []
  return {
    lines,
    stream: { write: (line) => void lines.push(line) },
    cacheLogger: { warn: (message, fields) => void lines.push(JSON.stringify({ msg: message, ...fields })) },
  }
}

/**
 * Builds a fresh app (own establishment id, own caches and metrics) over a shared database for the
 * duration of a describe block; the returned getter gives it to the tests.
 */
export function useApi(store: StoreKind, getDb: () => Database): () => ApiContext {
  let context: ApiContext | undefined
  beforeAll(async () => {
    const redis = store === 'redis' ? await startRedisServer() : undefined
    const driver: Driver = redis === undefined ? memoryDriver() : ioredisDriver({ url: redis.url })
    const metrics = createPrometheusMetrics()
    const etablissement = randomUUID()
    const logs = captureLogs()
    const caches = createAppCaches({ driver, etablissement, meter: metrics.meter, env: false, lockSecret: TEST_LOCK_SECRET, logger: logs.cacheLogger })
    const db = getDb()
    const app = buildApp({ db, caches, etablissement, metrics, logger: { stream: logs.stream } })
    await app.ready()
    context = { app, caches, db, metrics, etablissement, redis, logs: logs.lines }
  })
  afterAll(async () => {
    if (context === undefined) return
    await context.app.close()
    await context.caches.close()
    await context.caches.driver.close()
    await context.metrics.shutdown()
    await context.redis?.stop()
  })
  return () => {
    if (context === undefined) throw new Error('the app is not built yet')
    return context
  }
}

/** A name no other test uses, with letters only (names go through accent and case folding). */
export function uniqueName(base: string): string {
  const letters = randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8)
    .padEnd(8, 'x')
  return `${base} ${letters}`
}

/** The value of one Prometheus sample (`name{...key_prefix="<prefix>"...}`), 0 when absent. */
export function metricValue(text: string, name: string, keyPrefix: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(`key_prefix="${keyPrefix}"`)) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return 0
}
