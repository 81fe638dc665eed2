import { createCache, memoryDriver, type Driver } from '@cachette/core'
import { describe, expect, it, vi } from 'vitest'
import { createFhirExportCache, type ExportBuilder } from '../src/index.js'
import { bundleOf, capturingLogger, memoryExports, randomEj, type Bundle } from './support/exports.js'
import { pythonService } from './support/python-service.js'
import { redisServerForFile } from './support/redis-server.js'

/**
 * A source (the database) whose exports carry its version in `meta.versionId`, and a build that
 * answers "not modified" when the cached export is of the source's current version.
 */
function versionedSource(type: string, ejId: string | number) {
  const source = { version: 'v1', builds: 0, seen: [] as (string | undefined)[], background: 0 }
  const build: ExportBuilder<Bundle> = async ({ revalidating, previousVersion, notModified }) => {
    source.seen.push(previousVersion)
    if (revalidating) source.background += 1
    if (previousVersion === source.version) return notModified()
    source.builds += 1
    return bundleOf(type, ejId, source.version)
  }
  return { source, build }
}

const until = (check: () => unknown) => vi.waitFor(check, { timeout: 2_000, interval: 5 })

describe('conditional refresh on the memory driver: near its expiry, a read export is revalidated in the background', () => {
  it('the source did not change since the last build (same meta.versionId): the TTL is renewed, nothing rebuilt or rewritten', async () => {
    const { exports, driver, clock, cache } = memoryExports({ revalidate: { window: '1m' } })
    const { source, build } = versionedSource('venues', 1)
    await exports.getExport('venues', 1, build)
    const stored = await driver.get('fhir:export:venues:ej:1')
    clock.advance(270_000) // 30 s of the 5 min left: within the window
    expect(await exports.getExport('venues', 1, build)).toEqual(bundleOf('venues', 1, 'v1'))
    await until(() => expect(exports.stats().renewals).toBe(1))
    await until(async () => expect(await driver.pttl('fhir:export:venues:ej:1')).toBe(300_000))
    expect(source).toMatchObject({ seen: [undefined, 'v1'], builds: 1, background: 1 })
    expect(await driver.get('fhir:export:venues:ej:1')).toBe(stored)
    // Past the first TTL, the renewed export is still served.
    clock.advance(60_000)
    expect(await exports.getExport('venues', 1, build)).toEqual(bundleOf('venues', 1, 'v1'))
    expect(exports.stats()).toMatchObject({ requests: 3, hits: 2, misses: 1, builds: 1, renewals: 1, buildErrors: 0 })
    expect(cache.stats().revalidations).toBe(1)
  })

  it('the source changed: the request is served the cached export at once, and the new one is built and stored behind it', async () => {
    const { exports, driver, clock } = memoryExports({ revalidate: { window: '1m' } })
    const { source, build } = versionedSource('patients', 2)
    await exports.getExport('patients', 2, build)
    source.version = 'v2'
    clock.advance(570_000)
    expect(await exports.getExport('patients', 2, build)).toEqual(bundleOf('patients', 2, 'v1'))
    await until(async () => expect(await driver.get('fhir:export:patients:ej:2')).toBe(JSON.stringify(bundleOf('patients', 2, 'v2'))))
    expect(await driver.pttl('fhir:export:patients:ej:2')).toBe(600_000)
    expect(await exports.getExport('patients', 2, build)).toEqual(bundleOf('patients', 2, 'v2'))
    expect(source.seen).toEqual([undefined, 'v1'])
    expect(exports.stats()).toMatchObject({ hits: 2, misses: 1, builds: 2, renewals: 0 })
  })

  it('outside the window, a read export is served and nothing runs', async () => {
    const { exports, clock, cache } = memoryExports({ revalidate: { window: '1m' } })
    const { source, build } = versionedSource('structure', 3)
    await exports.getExport('structure', 3, build)
    clock.advance(60_000)
    await exports.getExport('structure', 3, build)
    await cache.close() // waits for the cache's background work: the PTTL check, and a refresh had it started one
    expect(source.seen).toEqual([undefined])
    expect(exports.stats()).toMatchObject({ builds: 1, renewals: 0 })
  })

  it('the version is meta.versionId, else meta.lastUpdated, or what versionOf says', async () => {
    const seen: (string | undefined)[] = []
    const recording = (exported: Bundle): ExportBuilder<Bundle> => async ({ previousVersion, notModified }) => {
      seen.push(previousVersion)
      return previousVersion === undefined ? exported : notModified()
    }
    const { meta, ...withoutMeta } = bundleOf('venues', 4)
    const lastUpdatedOnly = { ...withoutMeta, meta: { lastUpdated: meta.lastUpdated } } as unknown as Bundle
    for (const [options, exported, expected] of [
      [{ window: '1m' }, bundleOf('venues', 4, 'v7'), 'v7'],
      [{ window: '1m' }, lastUpdatedOnly, '2025-01-08T14:30:00Z'],
      [{ window: '1m', versionOf: (bundle: Bundle) => `etag-${bundle.total}` }, bundleOf('venues', 4), 'etag-2'],
    ] as const) {
      const { exports, clock } = memoryExports({ revalidate: options })
      await exports.getExport('venues', 4, recording(exported))
      clock.advance(250_000)
      await exports.getExport('venues', 4, recording(exported))
      await until(() => expect(exports.stats().renewals).toBe(1))
      expect(seen.splice(0)).toEqual([undefined, expected])
    }
  })

  it('notModified() with nothing cached rejects the request and stores nothing', async () => {
    const { exports, driver } = memoryExports({ revalidate: { window: '1m' } })
    await expect(exports.getExport('venues', 5, async ({ notModified }) => notModified())).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    expect(await driver.get('fhir:export:venues:ej:5')).toBeNull()
    expect(exports.stats()).toMatchObject({ requests: 0, builds: 0, buildErrors: 1, renewals: 0 })
  })

  it('refuses, at creation, a driver that cannot tell a remaining TTL (no PTTL)', () => {
    const inner = memoryDriver()
    const withoutPttl = new Proxy(inner, { get: (target, name) => (name === 'capabilities' ? { ...target.capabilities, inspection: false } : Reflect.get(target, name)) }) as Driver
    const cache = createCache({ driver: withoutPttl, wire: 'plain', env: false })
    expect(() => createFhirExportCache({ cache, env: false, revalidate: { window: '1m' } })).toThrow(/lacks what this package needs: inspection/)
    expect(createFhirExportCache({ cache, env: false }).ttlMs('venues')).toBe(300_000)
  })
})

describe('conditional refresh on a real redis-server, over an export the Python service wrote', () => {
  const redis = redisServerForFile()

  it("renews with PEXPIRE: the Python service's bytes stay as they are, with a fresh TTL", async () => {
    const { driver, url } = redis
    const cache = createCache({ driver, wire: 'plain', env: false, logger: capturingLogger() })
    // A window as long as the venues TTL: every read revalidates.
    const exports = createFhirExportCache<Bundle>({ cache, env: false, revalidate: { window: '5m' } })
    const ej = randomEj()
    expect(pythonService(url, 'write', 'venues', ej, JSON.stringify(bundleOf('venues', ej, 'v1')))).toMatchObject({ ttl: 300 })
    const written = await driver.get(`fhir:export:venues:ej:${ej}`)
    expect(written).toContain('"resourceType": "Bundle"') // json.dumps' separators, not JSON.stringify's
    await driver.pexpire(`fhir:export:venues:ej:${ej}`, 100_000)
    const { source, build } = versionedSource('venues', ej)
    expect(await exports.getExport('venues', ej, build)).toEqual(bundleOf('venues', ej, 'v1'))
    await until(() => expect(exports.stats().renewals).toBe(1))
    expect(await driver.pttl(`fhir:export:venues:ej:${ej}`)).toBeGreaterThan(290_000)
    expect(await driver.get(`fhir:export:venues:ej:${ej}`)).toBe(written)
    expect(pythonService(url, 'read', 'venues', ej)['bundle']).toEqual(bundleOf('venues', ej, 'v1'))
    expect(source).toMatchObject({ builds: 0, seen: ['v1'] })
    await cache.close()
  })
})
