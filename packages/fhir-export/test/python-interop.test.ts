import { createCache, type Cache } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFhirExportCache, type FhirExportCache } from '../src/index.js'
import { bundleOf, capturingLogger, countingBuild, type Bundle } from './support/exports.js'
import { pythonService as python } from './support/python-service.js'

/**
 * Seed 002's Python service and Cachette on one real redis-server, each through its own client:
 * redis-py with json.dumps / SETEX / json.loads on one side, createFhirExportCache on the other.
 */

const pythonService = (...args: string[]) => python(server.url, ...args)

let server: RedisServerHandle
let cache: Cache
let exports: FhirExportCache<Bundle>
beforeAll(async () => {
  server = await startRedisServer()
  cache = createCache({ driver: ioredisDriver({ url: server.url }), wire: 'plain', env: false, logger: capturingLogger() })
  exports = createFhirExportCache<Bundle>({ cache, env: false })
})
afterAll(async () => {
  await cache?.close({ driver: true })
  await server?.stop()
})

describe("the seed's Python service and Cachette share fhir:export:{type}:ej:{ejId}", () => {
  it('Python reads with json.loads the Bundle Cachette stored at fhir:export:venues:ej:1, with the venues TTL', async () => {
    const bundle = await exports.getExport('venues', 1, async () => bundleOf('venues', 1))
    const read = pythonService('read', 'venues', '1')
    expect(read['bundle']).toEqual(bundle)
    expect(read['ttl']).toBeGreaterThan(290)
    expect(read['ttl']).toBeLessThanOrEqual(300)
  })

  it('getExport serves the Bundle Python wrote with SETEX at fhir:export:patients:ej:2, without building', async () => {
    const written = bundleOf('patients', 2, 'python')
    expect(pythonService('write', 'patients', '2', JSON.stringify(written))).toEqual({ key: 'fhir:export:patients:ej:2', ttl: 600 })
    const build = countingBuild('patients', 2)
    expect(await exports.getExport('patients', 2, build)).toEqual(written)
    expect(build.calls).toBe(0)
    expect(exports.stats()).toMatchObject({ hits: 1 })
    expect(cache.stats().decodeFailures).toBe(0)
  })

  it("Cachette's invalidation rules drop what Python wrote, and Python's SCAN invalidation drops what Cachette wrote", async () => {
    pythonService('write', 'venues', '3', JSON.stringify(bundleOf('venues', 3)))
    pythonService('write', 'structure', '3', JSON.stringify(bundleOf('structure', 3)))
    expect(await exports.movementChanged()).toBeGreaterThanOrEqual(1)
    expect(pythonService('read', 'venues', '3')['bundle']).toBeNull()
    expect(pythonService('read', 'structure', '3')['bundle']).toEqual(bundleOf('structure', 3))

    await exports.getExport('patients', 4, async () => bundleOf('patients', 4))
    // The seed's own command: POST /api/cache/invalidate?pattern=fhir:export:*:ej:4
    expect(pythonService('invalidate', 'fhir:export:*:ej:4')).toEqual({ deleted: 1 })
    const build = countingBuild('patients', 4)
    await exports.getExport('patients', 4, build)
    expect(build.calls).toBe(1)
  })
})
