import { DeadlineExceededError } from '@cachette/core'

/**
 * Runs one store call under a deadline: the store may hang (a frozen server keeps its socket
 * open), and a patient lookup must then fall back to the database instead of waiting.
 */
export function withDeadline<T>(start: () => Promise<T>, deadlineMs: number, operation: string): Promise<T> {
  let pending: Promise<T>
  try {
    pending = start()
  } catch (error) {
    // A driver must not throw synchronously, but a broken one must not escape as a sync throw either.
    return Promise.reject(error)
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceededError(operation, deadlineMs)), deadlineMs)
    timer.unref?.()
    pending.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
