import { createCache } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer } from '@cachette/testing'
import { describe, expect, it, vi } from 'vitest'
import { createFhirExportCache } from '../src/index.js'
import { bundleOf, capturingLogger, countingBuild, memoryExports, randomEj } from './support/exports.js'

describe("the store down: the seed's fallback, the export is built and served", () => {
  it('serves the build on every request while the store fails, and counts the failures instead of throwing them', async () => {
    const { exports, cache, driver, logger } = memoryExports()
    driver.chaos.set({ failureRate: 1 })
    const build = countingBuild('venues', 1)
    expect(await exports.getExport('venues', 1, build)).toEqual(bundleOf('venues', 1, '1'))
    expect(await exports.getExport('venues', 1, build)).toEqual(bundleOf('venues', 1, '2'))
    expect(build.calls).toBe(2)
    expect(exports.stats()).toMatchObject({ requests: 2, hits: 0, misses: 2, builds: 2, buildErrors: 0 })
    // Each request: its read and the write after the build failed, counted by the cache.
    expect(cache.stats().errors).toBe(4)
    // Logged by the cache under the package's label and template, without the key.
    expect(logger.lines.map(({ fields }) => [fields.operation, fields.keyPrefix, fields.template, fields.code])).toEqual([
      ['get', 'fhir_export', 'fhir:export:{type}:ej:{ejId}', 'DRIVER_FAILURE'],
      ['set', 'fhir_export', 'fhir:export:{type}:ej:{ejId}', 'DRIVER_FAILURE'],
      ['get', 'fhir_export', 'fhir:export:{type}:ej:{ejId}', 'DRIVER_FAILURE'],
      ['set', 'fhir_export', 'fhir:export:{type}:ej:{ejId}', 'DRIVER_FAILURE'],
    ])
    expect(JSON.stringify(logger.lines)).not.toContain('ej:1')
    driver.chaos.heal()
    expect(await exports.getExport('venues', 1, build)).toEqual(bundleOf('venues', 1, '3'))
    expect(await exports.getExport('venues', 1, build)).toEqual(bundleOf('venues', 1, '3'))
    expect(exports.stats()).toMatchObject({ hits: 1, misses: 3 })
  })

  it('serves the build within the deadline when the redis-server is gone', async () => {
    const server = await startRedisServer()
    const cache = createCache({ driver: ioredisDriver({ url: server.url, deadlineMs: 200 }), deadlineMs: 200, wire: 'plain', env: false, logger: capturingLogger() })
    const exports = createFhirExportCache({ cache, env: false })
    const ej = randomEj()
    await exports.getExport('patients', ej, async () => bundleOf('patients', ej, '1'))
    await server.stop()
    const started = performance.now()
    expect(await exports.getExport('patients', ej, async () => bundleOf('patients', ej, '2'))).toEqual(bundleOf('patients', ej, '2'))
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(cache.stats().errors).toBeGreaterThanOrEqual(1)
    expect(exports.stats()).toMatchObject({ misses: 2, hits: 0 })
    await cache.close({ driver: true })
  })
})

describe("an invalidation rule while the store cannot be reached: the cache's invalidation queue", () => {
  it('rejects with the store error, queues the pattern, never serves the stale exports meanwhile, and applies it once the store is back', async () => {
    const { exports, cache, driver } = memoryExports({}, { invalidationQueue: { retryInterval: '10ms' } })
    const [ejA, ejB] = [randomEj(), randomEj()]
    for (const ejId of [ejA, ejB]) await exports.getExport('venues', ejId, async () => bundleOf('venues', ejId, 'before'))
    driver.chaos.set({ failureRate: 1, methods: ['scan'] })
    await expect(exports.movementChanged()).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    expect(exports.stats()).toMatchObject({ invalidations: 1, invalidationFailures: 1, keysInvalidated: 0 })
    expect(cache.stats().invalidationsQueued).toBe(1)
    // Reads still work, but the queued pattern covers the venues exports: built again, not served stale.
    expect(await exports.getExport('venues', ejA, async () => bundleOf('venues', ejA, 'after'))).toEqual(bundleOf('venues', ejA, 'after'))
    driver.chaos.heal()
    await vi.waitFor(() => expect(cache.stats().invalidationsPending).toBe(0), { timeout: 2_000, interval: 5 })
    expect(await driver.get(`fhir:export:venues:ej:${ejB}`)).toBeNull()
    expect(cache.stats().invalidationsApplied).toBe(1)
  })

  it("resolves 0 with invalidationQueue: { whenQueued: 'resolve' }: the queue owns the invalidation", async () => {
    const { exports, cache, driver } = memoryExports({}, { invalidationQueue: { whenQueued: 'resolve', retryInterval: '10ms' } })
    const ej = randomEj()
    await exports.getExport('structure', ej, async () => bundleOf('structure', ej))
    driver.chaos.set({ failureRate: 1 })
    expect(await exports.structureChanged(ej)).toBe(0)
    expect(await exports.fhirImported([ej, randomEj()])).toBe(0)
    expect(cache.stats().invalidationsPending).toBe(3)
    driver.chaos.heal()
    await vi.waitFor(() => expect(cache.stats().invalidationsPending).toBe(0), { timeout: 2_000, interval: 5 })
    expect(await driver.get(`fhir:export:structure:ej:${ej}`)).toBeNull()
  })

  it('without a queue, rejects and the exports stay until the rule is run again', async () => {
    const { exports, driver } = memoryExports({}, { invalidationQueue: false })
    const ej = randomEj()
    await exports.getExport('patients', ej, async () => bundleOf('patients', ej))
    driver.chaos.set({ failureRate: 1, methods: ['scan'] })
    await expect(exports.fhirImported([ej])).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    driver.chaos.heal()
    expect(await driver.get(`fhir:export:patients:ej:${ej}`)).not.toBeNull()
    expect(await exports.fhirImported([ej])).toBe(1)
    expect(exports.stats()).toMatchObject({ invalidations: 2, invalidationFailures: 1, keysInvalidated: 1 })
  })

  it('tries every legal entity of an import even when the first one fails', async () => {
    const { exports, cache, driver } = memoryExports({}, { invalidationQueue: { retryInterval: '1m' } })
    const ejIds = [randomEj(), randomEj(), randomEj()]
    for (const ejId of ejIds) await exports.getExport('venues', ejId, async () => bundleOf('venues', ejId))
    driver.chaos.set({ failureRate: 1, methods: ['scan'] })
    await expect(exports.fhirImported(ejIds)).rejects.toMatchObject({ code: 'DRIVER_FAILURE' })
    expect(cache.stats().invalidationsQueued).toBe(3)
  })
})
