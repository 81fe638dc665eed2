/**
 * Every error Cachette throws. Messages never carry a cached value or a key's parameters: they
 * name the operation, the key template or parameter *name*, and the reason.
 */

/** The stable codes a caller can switch on. */
export type CacheErrorCode =
  /** Options given to a factory or a call failed validation. */
  | 'INVALID_OPTIONS'
  /** A key parameter was rejected (glob character, separator, brace, control character...). */
  | 'INVALID_KEY'
  /** A duration could not be parsed or is out of range. */
  | 'INVALID_DURATION'
  /** The store failed (connection, protocol, server error). */
  | 'DRIVER_FAILURE'
  /** A command was applied to a key holding another type (Redis WRONGTYPE). */
  | 'WRONG_TYPE'
  /** An increment was applied to a value that is not an integer, or overflowed. */
  | 'NOT_INTEGER'
  /** A batch touched keys of different hash slots on a cluster. */
  | 'CROSS_SLOT'
  /** The driver does not support this operation. */
  | 'UNSUPPORTED'
  /** The driver or the cache was closed. */
  | 'CLOSED'
  /** A store call did not answer within its deadline. */
  | 'DEADLINE_EXCEEDED'
  /** A loader did not answer within its hard timeout. */
  | 'LOADER_TIMEOUT'
  /** A stored entry could not be decoded or failed its schema. */
  | 'DECODE_FAILED'
  /** An encrypted entry could not be opened: a key this cache lacks, another store key, a changed byte. */
  | 'DECRYPT_FAILED'
  /** A driver lacks a capability a package needs. */
  | 'MISSING_CAPABILITY'
  /** The cache's circuit breaker is open: the store was not called. */
  | 'CIRCUIT_OPEN'

const BRAND = Symbol.for('@cachette/core.CacheError')

/** Options every Cachette error takes. */
export interface CacheErrorOptions {
  /**
   * The underlying error, kept as `error.cause`.
   *
   * @default none (`error.cause` is undefined)
   * @example
   * ```ts
   * throw new InvalidOptionsError('[@cachette/core] ttl: invalid duration', { cause: error })
   * ```
   */
  readonly cause?: unknown
}

/**
 * The base of every Cachette error.
 *
 * @example
 * ```ts
 * try { await cache.set(key, value) } catch (error) {
 *   if (isCacheError(error) && error.code === 'DEADLINE_EXCEEDED') metrics.slowStore()
 * }
 * ```
 */
export class CacheError extends Error {
  /** A stable code to switch on; messages may change, codes do not. */
  readonly code: CacheErrorCode
  declare readonly [BRAND]: true

  constructor(code: CacheErrorCode, message: string, options: CacheErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.name = new.target.name
    Object.defineProperty(this, BRAND, { value: true })
  }

  /**
   * `instanceof` that also holds across copies of these classes: each entry point of the package
   * (`@cachette/core`, `/kit`, `/redis`) is bundled with its own copy, and a project may load both
   * the ESM and the CJS build. A branded error is an instance of a class whose name is in its
   * prototype chain.
   *
   * @example
   * ```ts
   * import { DriverError } from '@cachette/core'
   * error instanceof DriverError // true for a DriverError thrown from the @cachette/core/redis bundle too
   * ```
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true
    if (!isCacheError(value)) return false
    for (let proto: unknown = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
      if ((proto as { constructor?: { name?: unknown } }).constructor?.name === this.name) return true
    }
    return false
  }
}

/**
 * Options failed validation. The message lists each failing option path and why.
 *
 * @example
 * ```ts
 * try { createCache({ deadlineMs: 0, jitter: 1 }) } catch (error) {
 *   if (error instanceof InvalidOptionsError) console.error(error.message) // lists both problems
 * }
 * ```
 */
export class InvalidOptionsError extends CacheError {
  constructor(message: string, options?: CacheErrorOptions) {
    super('INVALID_OPTIONS', message, options)
  }
}

/**
 * A key parameter was rejected. The message names the template and parameter, never the value.
 *
 * @example
 * ```ts
 * const patientKey = defineKey('patient:{code}')
 * patientKey({ code: '*' }) // throws InvalidKeyError (code 'INVALID_KEY'), the value is not in the message
 * ```
 */
export class InvalidKeyError extends CacheError {
  constructor(message: string, options?: CacheErrorOptions) {
    super('INVALID_KEY', message, options)
  }
}

/**
 * A duration such as `'5m'` could not be parsed or is out of range.
 *
 * @example
 * ```ts
 * parseDuration('5 minutes') // throws InvalidDurationError: use '5m'
 * ```
 */
export class InvalidDurationError extends CacheError {
  constructor(message: string, options?: CacheErrorOptions) {
    super('INVALID_DURATION', message, options)
  }
}

/**
 * The store failed or refused a command.
 *
 * @example
 * ```ts
 * await cache.invalidate(patientKey({ id: 42 })).catch((error) => {
 *   if (error instanceof DriverError) log.warn({ code: error.code }, 'invalidation failed')
 * })
 * ```
 */
export class DriverError extends CacheError {
  constructor(
    code: Extract<CacheErrorCode, 'DRIVER_FAILURE' | 'WRONG_TYPE' | 'NOT_INTEGER' | 'CROSS_SLOT' | 'UNSUPPORTED' | 'CLOSED' | 'CIRCUIT_OPEN'>,
    message: string,
    options?: CacheErrorOptions,
  ) {
    super(code, message, options)
  }
}

/**
 * The cache's circuit breaker is open (the store failed repeatedly): the call was not sent to the
 * store at all. A `DriverError`, so code that handles store failures handles it too.
 *
 * @example
 * ```ts
 * await cache.invalidateTags(['tenant:7']).catch((error) => {
 *   if (error instanceof CircuitOpenError) log.warn('store skipped: circuit open, invalidation queued')
 * })
 * ```
 */
export class CircuitOpenError extends DriverError {
  constructor(operation: string) {
    super('CIRCUIT_OPEN', `[@cachette/core] ${operation}: the circuit breaker is open, the store was not called`)
  }
}

/**
 * A store call did not answer within its deadline.
 *
 * @example
 * ```ts
 * await cache.invalidate(patientKey({ id: 42 })).catch((error) => {
 *   if (error instanceof DeadlineExceededError) log.warn({ deadlineMs: error.deadlineMs }, 'store too slow')
 * })
 * ```
 */
export class DeadlineExceededError extends CacheError {
  /** The deadline that passed, in milliseconds. */
  readonly deadlineMs: number

  constructor(operation: string, deadlineMs: number, options?: CacheErrorOptions) {
    super('DEADLINE_EXCEEDED', `[@cachette/core] ${operation} did not answer within ${deadlineMs} ms`, options)
    this.deadlineMs = deadlineMs
  }
}

/**
 * A loader did not answer within its hard timeout.
 *
 * @example
 * ```ts
 * try { await cache.getOrSet(key, load, { loaderTimeout: { hard: '3s' } }) } catch (error) {
 *   if (error instanceof LoaderTimeoutError) return reply.code(504).send({ timeoutMs: error.timeoutMs })
 *   throw error
 * }
 * ```
 */
export class LoaderTimeoutError extends CacheError {
  /** The timeout that passed, in milliseconds. */
  readonly timeoutMs: number

  constructor(timeoutMs: number, options?: CacheErrorOptions) {
    super('LOADER_TIMEOUT', `[@cachette/core] loader did not answer within ${timeoutMs} ms`, options)
    this.timeoutMs = timeoutMs
  }
}

/**
 * A stored entry could not be decoded or failed its schema. Only reported, never thrown to callers of get.
 *
 * @example
 * ```ts
 * decode(payload) { // a codec's decode: throwing makes the entry a miss, logged as DECODE_FAILED
 *   if (!payload.startsWith('v2:')) throw new DecodeError('[patient-codec] payload written by an older version')
 *   return JSON.parse(payload.slice(3))
 * }
 * ```
 */
export class DecodeError extends CacheError {
  constructor(message: string, options?: CacheErrorOptions) {
    super('DECODE_FAILED', message, options)
  }
}

/**
 * A driver lacks a capability that a package needs.
 *
 * @example
 * ```ts
 * if (driver.capabilities.sortedSets !== true) {
 *   throw new MissingCapabilityError('@acme/messaging', driver.name, ['sortedSets'])
 * }
 * ```
 */
export class MissingCapabilityError extends CacheError {
  constructor(consumer: string, driverName: string, missing: readonly string[]) {
    super(
      'MISSING_CAPABILITY',
      `[${consumer}] the '${driverName}' driver lacks what this package needs: ${missing.join(', ')}`,
    )
  }
}

/**
 * True for any Cachette error, even one thrown by another copy of `@cachette/core` in the
 * same process (a brand symbol from the global registry, not `instanceof`).
 *
 * @example
 * ```ts
 * if (isCacheError(error)) console.warn('cache problem', error.code)
 * ```
 */
export function isCacheError(error: unknown): error is CacheError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true
}
