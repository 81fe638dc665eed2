import type { DeadlineQueue } from '@cachette/core'

/**
 * Runs one store call under the patient cache's deadline (core's shared timer queue): the store
 * may hang (a frozen server keeps its socket open), and a patient lookup must then fall back to
 * the database instead of waiting. A driver must not throw synchronously, but a broken one must
 * not escape as a sync throw either: that becomes a rejection too.
 */
export function withDeadline<T>(deadlines: DeadlineQueue, operation: string, start: () => Promise<T>): Promise<T> {
  let pending: Promise<T>
  try {
    pending = start()
  } catch (error) {
    return Promise.reject(error)
  }
  return deadlines.run(pending, operation)
}
