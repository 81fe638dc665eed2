import { memoryDriver, type CacheLogger, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, beforeEach, expect } from 'vitest'
import { buildApp } from '../../src/app.js'
import { createExportCaches, type ExportCaches } from '../../src/caches.js'
import type { Database } from '../../src/db/database.js'
import { insertDemoData } from '../../src/db/demo-data.js'
import { migrate } from '../../src/db/schema.js'
import { createExportService, type ExportService } from '../../src/export-service.js'
import type { ExportType } from '../../src/export-types.js'
import type { FhirBundle } from '../../src/fhir/bundle.js'
import { createPrometheusMetrics, type PrometheusMetrics } from '../../src/metrics.js'
import { fhirProblems } from './fhir-schema.js'

/** Which cache store a suite runs on. */
export type StoreKind = 'memory' | 'redis'

/** Opens a fresh, empty database for one suite (PGlite, or a new database on the test PostgreSQL). */
export type OpenDatabase = () => Promise<Database>

/** The admin token of the test apps. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'

/** The FHIR base URL of the test apps. */
export const TEST_BASE_URL = 'http://fhir.test/fhir'

/** Conditional refresh's window in the tests: short, so a test can bring an export within it (PEXPIRE) and see it revalidated. */
export const TEST_REVALIDATE_WINDOW_MS = 2_000

/** One app under test, with what a test needs to look behind it. */
export interface ApiContext {
  readonly app: FastifyInstance
  readonly caches: ExportCaches
  readonly service: ExportService
  readonly db: Database
  readonly metrics: PrometheusMetrics
  /** The redis-server, in 'redis' suites. */
  readonly redis: RedisServerHandle | undefined
  /** What the app and its cache logged. */
  readonly logs: readonly string[]
}

/**
 * Builds a fresh app (its own database with the demo data, cache, metrics and, for 'redis', its
 * own redis-server) for a describe block. Every test starts with no export cached (`fhir:export:*`
 * deleted through the cache) unless `clearBeforeEach: false`.
 */
export function useApi(store: StoreKind, openDb: OpenDatabase, options: { clearBeforeEach?: boolean } = {}): () => ApiContext {
  let context: ApiContext | undefined
  beforeAll(async () => {
    const redis = store === 'redis' ? await startRedisServer() : undefined
    const driver: Driver = redis === undefined ? memoryDriver() : ioredisDriver({ url: redis.url })
    const db = await openDb()
    await migrate(db)
    await insertDemoData(db)
    const metrics = createPrometheusMetrics()
    const logs: string[] = []
    const logger: CacheLogger = { warn: (message, fields) => void logs.push(JSON.stringify({ msg: message, ...fields })) }
    const caches = createExportCaches({ driver, meter: metrics.meter, env: false, logger, revalidateWindow: TEST_REVALIDATE_WINDOW_MS })
    const service = createExportService({ db, exports: caches.exports, baseUrl: TEST_BASE_URL })
    const app = buildApp({ db, caches, service, metrics, adminToken: TEST_ADMIN_TOKEN, logger: { stream: { write: (line) => void logs.push(line) } } })
    await app.ready()
    context = { app, caches, service, db, metrics, redis, logs }
  })
  if (options.clearBeforeEach !== false) {
    beforeEach(async () => {
      await context?.caches.cache.deletePattern('fhir:export:*')
    })
  }
  afterAll(async () => {
    if (context === undefined) return
    await context.app.close()
    await context.caches.close()
    await context.caches.driver.close()
    await context.metrics.shutdown()
    await context.db.close()
    await context.redis?.stop()
  })
  return () => {
    if (context === undefined) throw new Error('the app is not built yet')
    return context
  }
}

/** The demo data's legal entities. */
export const EJS = [1, 2] as const

/** Every export of the demo data: each type for each legal entity. */
export const EVERY_EXPORT: readonly (readonly [ExportType, number])[] = (['structure', 'patients', 'venues'] as const).flatMap((type) => EJS.map((ej) => [type, ej] as const))

/**
 * `GET /fhir/export/:type?ej=`: expects a 200 whose body is a Bundle valid against the official
 * FHIR R4 JSON Schema; returns it with its ETag.
 */
export async function fetchExport(api: ApiContext, type: string, ej: number, headers: Record<string, string> = {}): Promise<{ bundle: FhirBundle; etag: string | undefined }> {
  const response = await api.app.inject({ method: 'GET', url: `/fhir/export/${type}?ej=${ej}`, headers })
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200)
  expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8')
  const bundle = response.json() as FhirBundle
  expect(fhirProblems(bundle)).toEqual([])
  const etag = response.headers['etag']
  return { bundle, etag: typeof etag === 'string' ? etag : undefined }
}

/** The Bundle built per export since the app started (`'venues:ej:1'` → n). */
export function builds(api: ApiContext): Readonly<Record<string, number>> {
  return api.service.stats().builds
}

/** How many times each export was built between two `builds()` snapshots (every export listed, 0 included). */
export function buildsBetween(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(EVERY_EXPORT.map(([type, ej]) => `${type}:ej:${ej}`).map((key) => [key, (after[key] ?? 0) - (before[key] ?? 0)]))
}

/** Gets every export of the demo data (the misses build them). */
export async function fetchEveryExport(api: ApiContext): Promise<Map<string, FhirBundle>> {
  const bundles = new Map<string, FhirBundle>()
  for (const [type, ej] of EVERY_EXPORT) bundles.set(`${type}:ej:${ej}`, (await fetchExport(api, type, ej)).bundle)
  return bundles
}

/** One `Encounter.location[]` entry: a movement. */
export interface EncounterLocation {
  readonly location: { readonly reference: string }
  readonly status: string
  readonly period: { readonly start: string; readonly end?: string }
}

/** The movements (`location[]`) of one Encounter of a venues Bundle. */
export function encounterLocations(bundle: FhirBundle, encounterId: string): readonly EncounterLocation[] {
  const encounter = bundle.entry?.find((entry) => entry.resource.resourceType === 'Encounter' && entry.resource.id === encounterId)?.resource
  expect(encounter, encounterId).toBeDefined()
  return (encounter?.['location'] ?? []) as EncounterLocation[]
}

/** The admin token as a header. */
export const ADMIN_HEADERS = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } as const
