import { randomInt } from 'node:crypto'
import { createCache, memoryDriver, type Cache, type CacheLogFields, type CacheLogger, type CacheOptions } from '@cachette/core'
import { chaosDriver, createFakeClock, type ChaosDriver, type FakeClock } from '@cachette/testing'
import { createFhirExportCache, type FhirExportCache, type FhirExportCacheOptions } from '../../src/index.js'

/** A FHIR R4 Bundle as the seed's exporter builds one: a collection with its meta. */
export interface Bundle {
  readonly resourceType: 'Bundle'
  readonly type: 'collection'
  readonly meta: { readonly versionId: string; readonly lastUpdated: string }
  readonly total: number
  readonly entry: readonly { readonly fullUrl: string; readonly resource: Readonly<Record<string, unknown>> }[]
}

const RESOURCE_OF_TYPE: Readonly<Record<string, string>> = { structure: 'Organization', patients: 'Patient', venues: 'Encounter' }

/**
 * The export of `type` for legal entity `ejId`, at `versionId`.
 */
export function bundleOf(type: string, ejId: string | number, versionId = '1'): Bundle {
  const resourceType = RESOURCE_OF_TYPE[type] ?? 'Basic'
  return {
    resourceType: 'Bundle',
    type: 'collection',
    meta: { versionId, lastUpdated: '2025-01-08T14:30:00Z' },
    total: 2,
    entry: [1, 2].map((n) => ({
      fullUrl: `https://fhir.example.org/${resourceType}/${ejId}-${n}`,
      resource: { resourceType, id: `${ejId}-${n}`, meta: { versionId }, name: `Kouadio Aya Éloïse ${n}` },
    })),
  }
}

/** A random legal entity id, so tests on one redis-server never share keys. */
export function randomEj(): string {
  return String(randomInt(1_000_000, 1_000_000_000))
}

/** A build that counts its calls and returns `bundleOf(type, ejId)`. */
export function countingBuild(type: string, ejId: string | number) {
  const build = Object.assign(
    async () => {
      build.calls += 1
      return bundleOf(type, ejId, String(build.calls))
    },
    { calls: 0 },
  )
  return build
}

/** A logger that keeps what the cache logs (and keeps the test output quiet). */
export function capturingLogger(): CacheLogger & { readonly lines: { readonly message: string; readonly fields: CacheLogFields }[] } {
  const lines: { message: string; fields: CacheLogFields }[] = []
  return { lines, warn: (message, fields) => void lines.push({ message, fields }) }
}

export interface MemoryExports {
  readonly cache: Cache
  readonly logger: ReturnType<typeof capturingLogger>
  readonly exports: FhirExportCache<Bundle>
  readonly driver: ChaosDriver
  readonly clock: FakeClock
}

/** An export cache on a plain-wire memory cache (fake clock; a chaos driver to take the store down). */
export function memoryExports(options: Partial<FhirExportCacheOptions<Bundle>> = {}, cacheOptions: CacheOptions = {}): MemoryExports {
  const clock = createFakeClock()
  const driver = chaosDriver(memoryDriver({ clock }))
  const logger = capturingLogger()
  const cache = createCache({ driver, wire: 'plain', env: false, clock, logger, ...cacheOptions })
  const exports = createFhirExportCache<Bundle>({ cache, env: false, ...options })
  return { cache, exports, driver, clock, logger }
}
