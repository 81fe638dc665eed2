import type { CacheStats, DriverInfo } from '@cachette/core'

/**
 * The body of `GET …/stats`: seed 002's fields, read from the store's INFO (summed over the masters
 * of a cluster), then this process's counters of the cache. An INFO field the store does not
 * report, or every INFO field when the store could not answer, is `null`.
 */
export interface AdminStatsBody {
  /** Whether the cache is in use (false: the kill switch is on, and the store is not asked). */
  readonly enabled: boolean
  /** Memory the store uses, as Redis prints `used_memory_human`: `'1.23M'`. */
  readonly used_memory: string | null
  /** The same in bytes (Redis `used_memory`). */
  readonly used_memory_bytes: number | null
  /** Clients connected now (Redis `connected_clients`). */
  readonly total_connections: number | null
  /** Commands processed since the store started (Redis `total_commands_processed`). */
  readonly total_commands: number | null
  /** Lookups that found a key, whole store (Redis `keyspace_hits`). */
  readonly keyspace_hits: number | null
  /** Lookups that found nothing, whole store (Redis `keyspace_misses`). */
  readonly keyspace_misses: number | null
  /** keyspace_hits / (hits + misses) in percent, two decimals (`85.0` in the seed); 0 before any lookup. */
  readonly hit_rate: number | null
  /** Keys in the store, every database (or master) together. */
  readonly keys: number | null
  /** Why the INFO fields are null: the store's error code (`DRIVER_FAILURE`, `DEADLINE_EXCEEDED`, `CIRCUIT_OPEN`, `CLOSED`). */
  readonly store_error?: string
  /** This cache's own counters in this process (`cache.stats()`): its hits, misses, errors, deletes... */
  readonly cache: CacheStats
}

const UNITS = ['K', 'M', 'G', 'T', 'P'] as const

/**
 * Bytes as Redis' `bytesToHuman()` prints `used_memory_human`: `'512B'`, `'1.50K'`, `'1.23M'`.
 *
 * @example
 * ```ts
 * humanBytes(1_289_748) // '1.23M'
 * ```
 */
export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.trunc(bytes)}B`
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(2)}${UNITS[unit] as string}`
}

/** The stats body from what INFO answered (undefined: it could not), the kill switch and the cache's counters. */
export function statsBody(enabled: boolean, info: DriverInfo | undefined, cache: CacheStats, storeError?: string): AdminStatsBody {
  const hits = info?.keyspaceHits
  const misses = info?.keyspaceMisses
  const lookups = (hits ?? 0) + (misses ?? 0)
  return {
    enabled,
    used_memory: info?.usedMemoryBytes === undefined ? null : humanBytes(info.usedMemoryBytes),
    used_memory_bytes: info?.usedMemoryBytes ?? null,
    total_connections: info?.connectedClients ?? null,
    total_commands: info?.totalCommands ?? null,
    keyspace_hits: hits ?? null,
    keyspace_misses: misses ?? null,
    hit_rate: hits === undefined || misses === undefined ? null : lookups === 0 ? 0 : Math.round((hits / lookups) * 10_000) / 100,
    keys: info?.keys ?? null,
    ...(storeError === undefined ? {} : { store_error: storeError }),
    cache,
  }
}
