import type { SourceVersion } from '../db/versions.js'
import type { ExportType } from '../export-types.js'

/** A FHIR R4 resource, as JSON. */
export interface FhirResource {
  readonly resourceType: string
  readonly id?: string
  readonly [field: string]: unknown
}

/** One entry of a collection Bundle. */
export interface BundleEntry {
  readonly fullUrl: string
  readonly resource: FhirResource
}

/**
 * A FHIR R4 Bundle as this service exports it (and as the seed's Python service may have written
 * it: every field but `resourceType` may be missing from an entry read from the cache).
 */
export interface FhirBundle {
  readonly resourceType: 'Bundle'
  readonly id?: string
  readonly meta?: { readonly versionId?: string; readonly lastUpdated?: string }
  readonly type: string
  readonly timestamp?: string
  readonly entry?: readonly BundleEntry[]
  readonly [field: string]: unknown
}

/** What every resource builder needs: where the resources live and whose they are. */
export interface ResourceContext {
  /** The FHIR base URL of this service (`fullUrl`s, identifier systems). */
  readonly baseUrl: string
  readonly ejId: number
}

/**
 * A relative FHIR reference (`{ reference: 'Patient/ej1-pat-1' }`).
 *
 * @example
 * ```ts
 * reference('Organization', 'ej-1')
 * ```
 */
export function reference(resourceType: string, id: string): { readonly reference: string } {
  return { reference: `${resourceType}/${id}` }
}

/**
 * The Organization id of a legal entity (`ej-1`): what the structure export's Organization, and
 * every `managingOrganization` / `serviceProvider`, refer to.
 *
 * @example
 * ```ts
 * organizationId(1) // 'ej-1'
 * ```
 */
export function organizationId(ejId: number): string {
  return `ej-${ejId}`
}

/**
 * A `collection` Bundle of an export, its `meta` the source's version: `meta.versionId` is what
 * conditional refresh compares and what the ETag is made of.
 *
 * @example
 * ```ts
 * collectionBundle({ type: 'venues', ejId: 1, version, baseUrl, resources: encounters })
 * ```
 */
export function collectionBundle(options: { type: ExportType; ejId: number; version: SourceVersion; baseUrl: string; resources: readonly FhirResource[] }): FhirBundle {
  const { type, ejId, version, baseUrl, resources } = options
  return {
    resourceType: 'Bundle',
    id: `${type}-ej-${ejId}`,
    meta: { versionId: version.versionId, lastUpdated: version.lastUpdated },
    type: 'collection',
    timestamp: new Date().toISOString(),
    entry: resources.map((resource) => ({ fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource })),
  }
}
