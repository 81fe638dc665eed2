import type { CacheErrorCode } from '@cachette/core'
import type { ResolvedPatientOptions } from './patient-options.js'

/** Reports an absorbed failure without a key, a code or a value. */
export function warn(options: ResolvedPatientOptions, message: string, operation: string, code: CacheErrorCode, error?: unknown): void {
  try {
    options.logger.warn(`[@cachette/patient] ${message}`, {
      operation,
      code,
      keyPrefix: options.label,
      template: options.keyTemplate,
      driver: options.driver.name,
      ...(error === undefined ? {} : { errorName: error instanceof Error ? error.name : typeof error }),
    })
  } catch {
    // A logger that throws must not turn an absorbed failure into a failed call.
  }
}
