import { CacheError } from '@cachette/core'

/*
 * The suite is vitest tests: outside a vitest worker, vitest's describe() fails deep inside its
 * runner ("Cannot read properties of undefined (reading 'config')"), which names neither the cause
 * nor the fix. These checks fail first, with a CacheError that says both.
 */

/** The message of the error thrown when runDriverConformance() is called outside a vitest run. */
export const OUTSIDE_VITEST_MESSAGE =
  '[@cachette/testing] runDriverConformance() registers vitest tests: call it at the top level of a test file that vitest runs (vitest run / vitest), not from node or another test runner.'

/** The message of the error thrown when the CommonJS build of `@cachette/testing/conformance` is loaded. */
export const REQUIRED_FROM_COMMONJS_MESSAGE =
  "[@cachette/testing] @cachette/testing/conformance registers vitest tests, and vitest cannot be loaded with require(): import it from a test file that vitest runs (vitest run / vitest), not from CommonJS, node or another test runner. The launchers, fake clock and chaos kit load with require('@cachette/testing')."

/**
 * True inside a vitest worker. Vitest keeps its worker state on `globalThis.__vitest_worker__`
 * (every pool, and browser mode) and its own `describe` reads it; a child process started from a
 * test inherits `VITEST=true` in its environment but not this global, so the env is not checked.
 */
export function isInsideVitest(): boolean {
  const state = (globalThis as { __vitest_worker__?: unknown }).__vitest_worker__
  return typeof state === 'object' && state !== null
}

/** Throws an UNSUPPORTED CacheError unless the caller runs inside vitest. */
export function assertInsideVitest(): void {
  if (!isInsideVitest()) throw new CacheError('UNSUPPORTED', OUTSIDE_VITEST_MESSAGE)
}
