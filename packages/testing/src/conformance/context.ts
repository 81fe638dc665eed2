import { afterAll, beforeAll, expect } from 'vitest'
import { isCacheError, type BaseDriver, type CacheErrorCode, type Driver, type DriverCapabilities } from '@cachette/core'
import type { ConformanceSettings } from './options.js'

/*
 * The vitest side of the suite: the context every topic receives, the per-describe driver and the
 * assertions on rejections. Helpers that need no vitest live in key-prefix.ts, wait-for.ts and
 * compare-utf8.ts, so the reference model and the arbitraries load without vitest.
 */

/**
 * The capabilities the suite tests, with `counters` and `inspection` always decided (see
 * `resolveCapabilities` in run-driver-conformance.ts).
 */
export type ConformanceCapabilities = DriverCapabilities & { readonly counters: boolean; readonly inspection: boolean }

/** What every topic of the suite receives. */
export interface ConformanceContext extends ConformanceSettings {
  readonly makeDriver: () => BaseDriver | Promise<BaseDriver>
  readonly capabilities: ConformanceCapabilities
}

/**
 * One driver for the enclosing `describe`: made in `beforeAll`, closed in `afterAll`.
 * Returns a getter, because the driver does not exist yet while tests are being registered.
 *
 * Typed as a full `Driver` although it may be a `BaseDriver`: every call of a group's method sits
 * in a topic or test registered only when `context.capabilities` has that group. The base-only
 * runs (the Map driver, the restricted drivers of conformance-capabilities.test.ts) check it.
 */
export function useDriver(context: ConformanceContext): () => Driver {
  let driver: Driver | undefined
  beforeAll(async () => {
    driver = (await context.makeDriver()) as Driver
  })
  afterAll(async () => {
    await driver?.close()
  })
  return () => {
    if (driver === undefined) throw new Error('[@cachette/testing] the driver of this describe block was not created')
    return driver
  }
}

/** Asserts that `promise` rejects with a Cachette error of this `code`. */
export async function expectCode(promise: Promise<unknown>, code: CacheErrorCode): Promise<void> {
  const outcome = await promise.then(
    (value: unknown) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  )
  expect(outcome.rejected, `expected a rejection with code ${code}`).toBe(true)
  if (!outcome.rejected) return
  expect(isCacheError(outcome.error), 'the rejection is a CacheError').toBe(true)
  expect((outcome.error as { code?: unknown }).code).toBe(code)
}

/** Asserts that `promise` rejects, whatever the error. */
export async function expectRejection(promise: Promise<unknown>): Promise<void> {
  const rejected = await promise.then(
    () => false,
    () => true,
  )
  expect(rejected, 'expected a rejection').toBe(true)
}
