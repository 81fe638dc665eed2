import { escapeGlob, type BaseDriver } from '@cachette/core'

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
export async function scanAll(driver: BaseDriver, prefix: string, pattern: string, count?: number): Promise<string[]> {
  const found = new Set<string>()
  for await (const key of driver.scan(underPrefix(prefix, pattern), count === undefined ? undefined : { count })) {
    if (key.startsWith(prefix)) found.add(key.slice(prefix.length))
  }
  return [...found].sort()
}
