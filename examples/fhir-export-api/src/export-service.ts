import type { ExportBuilder, FhirExportCache } from '@cachette/fhir-export'
import type { Queryable } from './db/database.js'
import { loadPatients } from './db/patient-repository.js'
import { loadStructure } from './db/structure-repository.js'
import { loadVenues } from './db/venue-repository.js'
import { sourceVersion } from './db/versions.js'
import type { ExportType } from './export-types.js'
import { collectionBundle, type FhirBundle, type FhirResource, type ResourceContext } from './fhir/bundle.js'
import { encounterResources } from './fhir/encounter-resources.js'
import { patientResources } from './fhir/patient-resources.js'
import { structureResources } from './fhir/structure-resources.js'

/** The legal entity asked for does not exist: a 404, and nothing is cached (a build that throws never is). */
export class UnknownLegalEntityError extends Error {
  override readonly name = 'UnknownLegalEntityError'
}

/** What the service did since it was created: full builds per export, and the cheap version checks. */
export interface ExportServiceStats {
  /** Bundles built from the database, per export (`'venues:ej:1'`). */
  readonly builds: Readonly<Record<string, number>>
  /** Version reads (every build starts with one, conditional refreshes included). */
  readonly versionChecks: number
  /** Refreshes answered "not modified": the cached export's TTL renewed, nothing built. */
  readonly notModified: number
}

/** Builds exports through the cache. */
export interface ExportService {
  /**
   * The export of `type` for legal entity `ejId`: from the cache, else built from the database.
   *
   * @throws UnknownLegalEntityError (rejects) when the legal entity does not exist.
   */
  bundle(type: ExportType, ejId: number): Promise<FhirBundle>
  /** Counters, for tests and for the curious. */
  stats(): ExportServiceStats
}

type ResourcesOf = (db: Queryable, context: ResourceContext) => Promise<FhirResource[]>

/** How each export type reads its rows and turns them into resources. */
const RESOURCES: Readonly<Record<ExportType, ResourcesOf>> = {
  structure: async (db, context) => {
    const structure = await loadStructure(db, context.ejId)
    if (structure === undefined) throw new UnknownLegalEntityError()
    return structureResources(structure, context)
  },
  patients: async (db, context) => patientResources(await loadPatients(db, context.ejId), context),
  venues: async (db, context) => encounterResources(await loadVenues(db, context.ejId), context),
}

/**
 * The export builds of seed 002 behind `@cachette/fhir-export`: each build first reads the
 * source's version and, when it is the version of the cached export being refreshed, answers
 * `notModified()` (one primary-key read instead of a Bundle).
 *
 * @example
 * ```ts
 * const service = createExportService({ db, exports: caches.exports, baseUrl: 'http://127.0.0.1:8000/fhir' })
 * await service.bundle('venues', 1)
 * ```
 */
export function createExportService(options: { db: Queryable; exports: FhirExportCache<FhirBundle>; baseUrl: string }): ExportService {
  const { db, exports, baseUrl } = options
  const builds: Record<string, number> = {}
  let versionChecks = 0
  let notModified = 0

  const builderOf =
    (type: ExportType, ejId: number): ExportBuilder<FhirBundle> =>
    async (context) => {
      // The version first, then the rows: a commit in between gives rows newer than the version
      // (built again at the next refresh), never older rows under the newer version (served as
      // current until they expire).
      const version = await sourceVersion(db, ejId, type)
      versionChecks += 1
      if (version === undefined) throw new UnknownLegalEntityError()
      if (context.previousVersion === version.versionId) {
        notModified += 1
        return context.notModified()
      }
      const resources = await RESOURCES[type](db, { baseUrl, ejId })
      const key = `${type}:ej:${ejId}`
      builds[key] = (builds[key] ?? 0) + 1
      return collectionBundle({ type, ejId, version, baseUrl, resources })
    }

  return {
    bundle: (type, ejId) => exports.getExport(type, ejId, builderOf(type, ejId)),
    stats: () => ({ builds: { ...builds }, versionChecks, notModified }),
  }
}
