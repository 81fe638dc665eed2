/** How waiting for a loader ended. */
export type LoadOutcome =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'soft' }
  | { readonly kind: 'hard' }

/**
 * Waits for a loader's promise, at most `softMs` (0: no soft limit) and `hardMs` (0: none).
 * Never rejects: the loader's error is an outcome. The loader itself is not cancelled (a
 * promise cannot be); the caller decides what to do with it. The timers are cleared as soon
 * as the loader settles, and are not unref'd: a caller is waiting on them.
 *
 * @example
 * ```ts
 * const outcome = await waitForLoader(load.promise, stale === undefined ? 0 : 200, 3_000)
 * if (outcome.kind === 'soft') return stale.value
 * ```
 */
export function waitForLoader(promise: Promise<unknown>, softMs: number, hardMs: number): Promise<LoadOutcome> {
  if (softMs <= 0 && hardMs <= 0) {
    return promise.then(
      (value) => ({ kind: 'value', value }),
      (error: unknown) => ({ kind: 'error', error }),
    )
  }
  return new Promise<LoadOutcome>((resolve) => {
    let soft: ReturnType<typeof setTimeout> | undefined
    let hard: ReturnType<typeof setTimeout> | undefined
    const settle = (outcome: LoadOutcome) => {
      clearTimeout(soft)
      clearTimeout(hard)
      resolve(outcome)
    }
    if (softMs > 0) soft = setTimeout(() => settle({ kind: 'soft' }), softMs)
    if (hardMs > 0) hard = setTimeout(() => settle({ kind: 'hard' }), hardMs)
    promise.then(
      (value) => settle({ kind: 'value', value }),
      (error: unknown) => settle({ kind: 'error', error }),
    )
  })
}
