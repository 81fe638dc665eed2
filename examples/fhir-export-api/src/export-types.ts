/** The exports this service builds: seed 002's three types, each with its own TTL in `@cachette/fhir-export`. */
export const EXPORT_TYPES = ['structure', 'patients', 'venues'] as const

/** `structure` (Organization + Location), `patients` (Patient), `venues` (Encounter with movements). */
export type ExportType = (typeof EXPORT_TYPES)[number]

/**
 * Whether a path segment names an export type (anything else is a 404).
 *
 * @example
 * ```ts
 * isExportType('venues') // true
 * ```
 */
export function isExportType(value: string): value is ExportType {
  return (EXPORT_TYPES as readonly string[]).includes(value)
}
