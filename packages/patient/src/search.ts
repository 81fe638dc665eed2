/** What a search source receives: the normalized term and the row limit. */
export interface PatientSearchCriteria {
  /** The term, trimmed, whitespace runs collapsed. Never empty. */
  readonly term: string
  /** Rows to return at most (1 to 50). */
  readonly limit: number
}

/** Options of {@link searchPatients}. */
export interface PatientSearchOptions {
  /**
   * Rows to return at most, clamped to [1, 50].
   *
   * @default 50 (seed 000's LIMIT 50)
   * @example
   * ```ts
   * await searchPatients(term, source, { limit: 10 }) // an autocomplete list
   * ```
   */
  readonly limit?: number
}

/**
 * The most rows a search returns (seed 000).
 *
 * @example
 * ```ts
 * const SearchQuery = z.object({ q: z.string(), limit: z.coerce.number().int().min(1).max(MAX_SEARCH_RESULTS).optional() })
 * ```
 */
export const MAX_SEARCH_RESULTS = 50

/**
 * Seed 000's search query, for PostgreSQL: full-text on `search_vector` (a `tsvector` built with
 * the `'french'` configuration), active patients only, best rank first. Parameters: `$1` the term,
 * `$2` the limit.
 *
 * @example
 * ```ts
 * const { rows } = await pool.query(PATIENT_SEARCH_SQL, [term, MAX_SEARCH_RESULTS])
 * ```
 */
export const PATIENT_SEARCH_SQL = `SELECT code_patient, nom, prenoms, telephone_principal, statut
FROM patients_patient
WHERE search_vector @@ plainto_tsquery('french', $1)
  AND statut = 'actif'
ORDER BY ts_rank(search_vector, plainto_tsquery('french', $1)) DESC
LIMIT $2`

const WHITESPACE_RUN = /\s+/gu

/**
 * Runs a patient search against the source of truth, **never through the cache**. Seed 000 forbids
 * caching search results ("trop variables"): every term, spelling and limit would be its own entry,
 * almost never read twice, each one a copy of personal data to expire and to invalidate on every
 * patient change. Lookups by `code_patient` (95 % of reads) are what the cache serves; searches go to
 * PostgreSQL's `search_vector`, which is built for them. This helper only normalizes the term,
 * answers `[]` for a blank one without calling the source, and bounds the limit.
 *
 * @example
 * ```ts
 * const rows = await searchPatients('  kouadio  jean ', ({ term, limit }) =>
 *   db.query(PATIENT_SEARCH_SQL, [term, limit]).then((result) => result.rows))
 * ```
 */
export async function searchPatients<R>(term: string, source: (criteria: PatientSearchCriteria) => Promise<readonly R[]>, options: PatientSearchOptions = {}): Promise<R[]> {
  const normalized = typeof term === 'string' ? term.replace(WHITESPACE_RUN, ' ').trim() : ''
  if (normalized === '') return []
  const asked = options.limit ?? MAX_SEARCH_RESULTS
  const limit = Number.isFinite(asked) ? Math.min(MAX_SEARCH_RESULTS, Math.max(1, Math.floor(asked))) : MAX_SEARCH_RESULTS
  return [...(await source({ term: normalized, limit }))]
}
