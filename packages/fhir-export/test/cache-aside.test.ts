import { isCacheError } from '@cachette/core'
import { describe, expect, it } from 'vitest'
import { bundleOf, countingBuild, memoryExports, randomEj } from './support/exports.js'

describe('getExport: cache-aside under the seed key, on the memory driver', () => {
  it('builds on a miss, stores the plain JSON under fhir:export:{type}:ej:{ejId}, and serves it from the store next time', async () => {
    const { exports, driver } = memoryExports()
    const build = countingBuild('venues', 1)
    expect(await exports.getExport('venues', 1, build)).toEqual(bundleOf('venues', 1, '1'))
    expect(await driver.get('fhir:export:venues:ej:1')).toBe(JSON.stringify(bundleOf('venues', 1, '1')))
    expect(await exports.getExport('venues', 1, build)).toEqual(bundleOf('venues', 1, '1'))
    expect(build.calls).toBe(1)
    expect(exports.stats()).toMatchObject({ requests: 2, hits: 1, misses: 1, hitRate: 0.5, builds: 1, buildErrors: 0 })
  })

  it('runs one build for concurrent requests of one export; each of them counts as a miss', async () => {
    const { exports, cache } = memoryExports()
    const ej = randomEj()
    const build = countingBuild('patients', ej)
    const bundles = await Promise.all(Array.from({ length: 5 }, () => exports.getExport('patients', ej, build)))
    expect(build.calls).toBe(1)
    expect(new Set(bundles.map((bundle) => JSON.stringify(bundle))).size).toBe(1)
    expect(exports.stats()).toMatchObject({ requests: 5, hits: 0, misses: 5, builds: 1 })
    expect(cache.stats().loaderCalls).toBe(1)
  })

  it("stores each type for its seed TTL: structure 1 h, patients 10 min, venues 5 min, others CACHE_TTL's 1 h", async () => {
    const { exports, driver } = memoryExports()
    const expected = { structure: 3_600_000, patients: 600_000, venues: 300_000, medications: 3_600_000 }
    for (const [type, ttlMs] of Object.entries(expected)) {
      await exports.getExport(type, 7, async () => bundleOf(type, 7))
      expect(await driver.pttl(`fhir:export:${type}:ej:7`)).toBe(ttlMs)
      expect(exports.ttlMs(type)).toBe(ttlMs)
    }
  })

  it('builds a venues export again once its 5 minutes are over, while the structure export is still served', async () => {
    const { exports, clock } = memoryExports()
    const venues = countingBuild('venues', 3)
    const structure = countingBuild('structure', 3)
    await exports.getExport('venues', 3, venues)
    await exports.getExport('structure', 3, structure)
    clock.advance(300_001) // Redis semantics: a key expires once its PX has passed
    expect(await exports.getExport('venues', 3, venues)).toEqual(bundleOf('venues', 3, '2'))
    expect(await exports.getExport('structure', 3, structure)).toEqual(bundleOf('structure', 3, '1'))
    expect([venues.calls, structure.calls]).toEqual([2, 1])
  })

  it('never caches a build that throws: every waiting request rejects with its error, and the next request builds again', async () => {
    const { exports, driver } = memoryExports()
    const failure = new Error('database unavailable')
    let calls = 0
    const failing = async () => {
      calls += 1
      throw failure
    }
    const results = await Promise.allSettled([exports.getExport('venues', 4, failing), exports.getExport('venues', 4, failing)])
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ])
    expect(calls).toBe(1)
    expect(await driver.get('fhir:export:venues:ej:4')).toBeNull()
    expect(await exports.getExport('venues', 4, async () => bundleOf('venues', 4))).toEqual(bundleOf('venues', 4))
    expect(exports.stats()).toMatchObject({ requests: 1, misses: 1, builds: 1, buildErrors: 1 })
  })

  it('a build that calls skipCache() is served and not stored', async () => {
    const { exports, driver } = memoryExports()
    const partial = { ...bundleOf('patients', 5), total: 0, entry: [] }
    const served = await exports.getExport('patients', 5, async ({ skipCache }) => {
      skipCache()
      return partial
    })
    expect(served).toEqual(partial)
    expect(await driver.get('fhir:export:patients:ej:5')).toBeNull()
  })

  it('hands the build its type and legal entity, and no previous version on a miss', async () => {
    const { exports } = memoryExports()
    const seen: unknown[] = []
    await exports.getExport('structure', 'EJ-750000001', async ({ type, ejId, revalidating, previousVersion }) => {
      seen.push({ type, ejId, revalidating, previousVersion })
      return bundleOf(type, ejId)
    })
    expect(seen).toEqual([{ type: 'structure', ejId: 'EJ-750000001', revalidating: false, previousVersion: undefined }])
  })

  it.each([
    ['an ejId holding a glob character', 'venues', '*'],
    ['an ejId holding the separator', 'venues', '1:ej:2'],
    ['an ejId holding whitespace', 'venues', '1 2'],
    ['an empty ejId', 'venues', ''],
    ['a type holding a glob character', 'venues*', 1],
    ['a type holding the separator', 'venues:ej', 1],
    ['an upper-case type', 'Venues', 1],
  ])('refuses %s with an InvalidKeyError that does not quote it, and builds nothing', async (_, type, ejId) => {
    const { exports, driver } = memoryExports()
    const build = countingBuild(type, ejId)
    const error = await exports.getExport(type, ejId, build).catch((reason: unknown) => reason)
    expect(isCacheError(error) && error.code).toBe('INVALID_KEY')
    if (String(ejId).length > 1) expect((error as Error).message).not.toContain(String(ejId))
    expect(build.calls).toBe(0)
    expect(driver.chaos.calls).toBe(0)
    expect(exports.stats().requests).toBe(0)
  })

  it('with the cache switched off, builds on every request and stores nothing', async () => {
    const { exports, driver } = memoryExports({}, { enabled: false })
    const build = countingBuild('venues', 6)
    await exports.getExport('venues', 6, build)
    await exports.getExport('venues', 6, build)
    expect(build.calls).toBe(2)
    expect(await driver.get('fhir:export:venues:ej:6')).toBeNull()
    expect(exports.stats()).toMatchObject({ hits: 0, misses: 2 })
  })
})
