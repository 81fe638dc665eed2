import { createCache, memoryDriver, type Cache, type Driver } from '@cachette/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { createFhirExportCache, type FhirExportCache } from '../src/index.js'
import { bundleOf, randomEj, type Bundle } from './support/exports.js'
import { redisServerForFile } from './support/redis-server.js'

const TYPES = ['structure', 'patients', 'venues'] as const

const redis = redisServerForFile()

/** Which of the three exports of each legal entity are still stored. */
async function stored(driver: Driver, ejIds: readonly string[]): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {}
  for (const ejId of ejIds) {
    result[ejId] = []
    for (const type of TYPES) if ((await driver.get(`fhir:export:${type}:ej:${ejId}`)) !== null) result[ejId].push(type)
  }
  return result
}

describe.each([
  ['the memory driver', () => memoryDriver()],
  ['a real redis-server', () => redis.driver],
])("the seed's invalidation rules, on %s", (_, driverOf) => {
  let driver: Driver
  let cache: Cache
  let exports: FhirExportCache<Bundle>
  let ejA: string
  let ejB: string
  beforeEach(async () => {
    driver = driverOf()
    cache = createCache({ driver, wire: 'plain', env: false })
    exports = createFhirExportCache<Bundle>({ cache, env: false })
    // The keys have no prefix (they are the seed's): start from no venues export at all on the shared server.
    await exports.movementChanged()
    ;[ejA, ejB] = [randomEj(), randomEj()]
    for (const ejId of [ejA, ejB]) for (const type of TYPES) await exports.getExport(type, ejId, async () => bundleOf(type, ejId))
  })

  it('a movement (created, changed or deleted) drops the venues exports of every legal entity, and only those', async () => {
    expect(await exports.movementChanged()).toBe(2)
    expect(await stored(driver, [ejA, ejB])).toEqual({ [ejA]: ['structure', 'patients'], [ejB]: ['structure', 'patients'] })
    let builds = 0
    await exports.getExport('venues', ejA, async () => {
      builds += 1
      return bundleOf('venues', ejA, '2')
    })
    expect(builds).toBe(1)
    expect(exports.stats()).toMatchObject({ invalidations: 2, keysInvalidated: 2, invalidationFailures: 0 })
  })

  it("a structure change drops that legal entity's structure export, and nothing else", async () => {
    expect(await exports.structureChanged(ejA)).toBe(1)
    expect(await stored(driver, [ejA, ejB])).toEqual({ [ejA]: ['patients', 'venues'], [ejB]: ['structure', 'patients', 'venues'] })
    expect(await exports.structureChanged(ejA)).toBe(0)
  })

  it('an import drops every export of the legal entities it touched, and keeps the others', async () => {
    expect(await exports.fhirImported([ejA, ejA])).toBe(3)
    expect(await stored(driver, [ejA, ejB])).toEqual({ [ejA]: [], [ejB]: ['structure', 'patients', 'venues'] })
    expect(await exports.fhirImported([])).toBe(0)
    await expect(exports.fhirImported('some' as never)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
  })

  it("an import that does not say what it touched drops every export, and only keys of the export template", async () => {
    await driver.set(`fhir:export:venues:ej:${ejA}:history`, '{}', { ttlMs: 60_000 })
    await driver.set(`fhir:bundle:${ejA}`, '{}', { ttlMs: 60_000 })
    expect(await exports.fhirImported('all')).toBeGreaterThanOrEqual(6)
    expect(await stored(driver, [ejA, ejB])).toEqual({ [ejA]: [], [ejB]: [] })
    expect(await driver.get(`fhir:export:venues:ej:${ejA}:history`)).toBe('{}')
    expect(await driver.get(`fhir:bundle:${ejA}`)).toBe('{}')
    await driver.delete([`fhir:export:venues:ej:${ejA}:history`, `fhir:bundle:${ejA}`])
  })

  it.each([
    ['*', 'a glob star'],
    ['1:ej:*', 'the separator'],
    ['[12]', 'a glob class'],
  ])('an ejId of %s (%s) is refused before anything is deleted: it can never widen a pattern', async (ejId) => {
    await expect(exports.structureChanged(ejId)).rejects.toMatchObject({ code: 'INVALID_KEY' })
    await expect(exports.fhirImported([ejB, ejId])).rejects.toMatchObject({ code: 'INVALID_KEY' })
    await expect(exports.getExport('venues', ejId, async () => bundleOf('venues', ejId))).rejects.toMatchObject({ code: 'INVALID_KEY' })
    expect(await stored(driver, [ejA, ejB])).toEqual({ [ejA]: [...TYPES], [ejB]: [...TYPES] })
  })
})
