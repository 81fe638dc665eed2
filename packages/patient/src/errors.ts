const BRAND = Symbol.for('@cachette/patient.DuplicatePatientError')

/**
 * Why a creation was refused: `'in_flight'` when another creation of the same person holds the
 * anti-duplicate lock, `'exists'` when the caller's own database check found the person.
 */
export type DuplicateReason = 'in_flight' | 'exists'

/** Options of {@link DuplicatePatientError}. */
export interface DuplicatePatientErrorOptions {
  /**
   * The establishment id stored in the lock (who is creating the patient), when known.
   *
   * @default none (`error.heldBy` is undefined)
   * @example
   * ```ts
   * throw new DuplicatePatientError('in_flight', { heldBy: lockHolderEtablissement })
   * ```
   */
  readonly heldBy?: string
  /**
   * The underlying error, kept as `error.cause`.
   *
   * @default none (`error.cause` is undefined)
   * @example
   * ```ts
   * if (isUniqueViolation(error)) throw new DuplicatePatientError('exists', { cause: error })
   * ```
   */
  readonly cause?: unknown
}

/**
 * A patient with the same normalized name, first names and birth date is being created or
 * already exists. Its `code` is `'DUPLICATE_PATIENT'`.
 *
 * It extends `Error`, not core's `CacheError`: `CacheErrorCode` is a closed union of *cache*
 * failures, and a duplicate is a business outcome the caller maps to HTTP 409, not a cache
 * problem. Test it with {@link isDuplicatePatientError}, which works across copies of the package.
 * The message never carries the names or the birth date.
 *
 * @example
 * ```ts
 * // inside your create() when the database already holds the person:
 * throw new DuplicatePatientError('exists')
 * ```
 */
export class DuplicatePatientError extends Error {
  /** Stable code to switch on. */
  readonly code = 'DUPLICATE_PATIENT' as const
  /** Whether the lock was held (`'in_flight'`) or the database already has the person (`'exists'`). */
  readonly reason: DuplicateReason
  /** The establishment id held in the lock, when the lock was held and could be read. */
  readonly heldBy: string | undefined
  declare readonly [BRAND]: true

  constructor(reason: DuplicateReason, options: DuplicatePatientErrorOptions = {}) {
    super(
      reason === 'in_flight'
        ? '[@cachette/patient] a patient with the same name, first names and birth date is being created'
        : '[@cachette/patient] a patient with the same name, first names and birth date already exists',
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.name = 'DuplicatePatientError'
    this.reason = reason
    this.heldBy = options.heldBy
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/**
 * True for a {@link DuplicatePatientError}, even one thrown by another copy of the package.
 *
 * @example
 * ```ts
 * if (isDuplicatePatientError(error)) return reply.code(409).send({ error: 'Patient en doublon' })
 * ```
 */
export function isDuplicatePatientError(error: unknown): error is DuplicatePatientError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true
}
