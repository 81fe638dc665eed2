import type { ExportType } from '../export-types.js'
import type { FhirBundle } from '../fhir/bundle.js'

// What may go between the quotes of an ETag: a FHIR id (a versionId) is always this.
const VERSION_ID = /^[A-Za-z0-9\-.]{1,64}$/

/**
 * The ETag of an export, from the version its Bundle carries (`meta.versionId`): weak, since two
 * builds of one version (or the seed's Python service's `json.dumps` of it) differ in bytes, not in
 * meaning. Undefined when the Bundle has no usable version (one written by another service).
 *
 * @example
 * ```ts
 * etagOf('venues', 1, bundle) // 'W/"venues-ej1-v3"'
 * ```
 */
export function etagOf(type: ExportType, ejId: number, bundle: FhirBundle): string | undefined {
  const versionId = bundle.meta?.versionId
  if (typeof versionId !== 'string' || !VERSION_ID.test(versionId)) return undefined
  return `W/"${type}-ej${ejId}-v${versionId}"`
}

/**
 * Whether an `If-None-Match` header matches the ETag (RFC 9110's weak comparison: `W/` aside, the
 * opaque tags are equal; `*` matches any current representation).
 *
 * @example
 * ```ts
 * if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send()
 * ```
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  const opaque = etag.replace(/^W\//, '')
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === opaque)
}
