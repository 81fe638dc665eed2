import { afterAll, beforeAll, expect } from 'vitest'
import { escapeGlob, isCacheError, type CacheErrorCode, type Driver, type DriverCapabilities } from '@cachette/core'
import type { ConformanceSettings } from './options.js'

/** What every topic of the suite receives. */
export interface ConformanceContext extends ConformanceSettings {
  readonly makeDriver: () => Driver | Promise<Driver>
  readonly capabilities: DriverCapabilities
}

/**
 * One driver for the enclosing `describe`: made in `beforeAll`, closed in `afterAll`.
 * Returns a getter, because the driver does not exist yet while tests are being registered.
 */
export function useDriver(context: ConformanceContext): () => Driver {
  let driver: Driver | undefined
  beforeAll(async () => {
    driver = await context.makeDriver()
  })
  afterAll(async () => {
    await driver?.close()
  })
  return () => {
    if (driver === undefined) throw new Error('[@cachette/testing] the driver of this describe block was not created')
    return driver
  }
}

/**
 * A fresh key prefix per test, so tests and drivers can share one server without FLUSHDB. The
 * random part is a Redis Cluster hash tag: every key of one test maps to one slot, so batches
 * stay valid on a cluster.
 */
export function freshPrefix(): string {
  return `cf:{${Math.random().toString(36).slice(2, 10)}${Date.now().toString(36).slice(-4)}}:`
}

/** A SCAN pattern matching `pattern` under `prefix` only. */
export function underPrefix(prefix: string, pattern: string): string {
  return escapeGlob(prefix) + pattern
}

/** Every key a scan yields, without duplicates, with the prefix removed, sorted. */
export async function scanAll(driver: Driver, prefix: string, pattern: string, count?: number): Promise<string[]> {
  const found = new Set<string>()
  for await (const key of driver.scan(underPrefix(prefix, pattern), count === undefined ? undefined : { count })) {
    if (key.startsWith(prefix)) found.add(key.slice(prefix.length))
  }
  return [...found].sort()
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

/** Resolves once `condition()` holds, polling; rejects after `deadlineMs` (generous, never a timing assertion). */
export async function waitFor(condition: () => boolean, deadlineMs = 5_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > deadlineMs) throw new Error(`[@cachette/testing] condition not met within ${deadlineMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

const encoder = new TextEncoder()

/** Orders strings by their UTF-8 bytes, as Redis orders sorted-set members of equal score. */
export function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  const length = Math.min(x.length, y.length)
  for (let i = 0; i < length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number)
  return x.length - y.length
}
