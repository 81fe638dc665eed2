import type { DriverValue } from '../driver/driver.js'
import type { Codec } from '../encoding/codec.js'
import type { ResolvedL1 } from '../options/l1-options.js'

/** One entry of the memory tier: the codec's payload (decoded on each hit, like a store hit), never the store's envelope. */
export interface L1Entry {
  readonly payload: DriverValue
  readonly codec: Codec<unknown>
  /** The decoded, deep-frozen value when `shareValues` is on (hits then decode nothing). */
  readonly shared: unknown
  /** Tag -> token the entry was written under (tag invalidations drop it). */
  readonly tags: Readonly<Record<string, string>> | undefined
  /** When the entry itself stops being fresh (its `f`), if it records it. */
  readonly freshUntil: number | undefined
  /** The loader's duration recorded with the entry (early refresh), ms. */
  readonly loadMs: number
  /** Until when (the cache's clock) this tier answers for the entry. */
  readonly expiresAt: number
  /** Until when it may still be served as stale while the store is unreachable (grace). */
  readonly staleUntil: number
  /** The bus connection epoch it was stored in: entries of an earlier epoch are never hits. */
  readonly epoch: number
  readonly bytes: number
  /** Read since the eviction hand last passed (CLOCK: a hit sets a flag instead of moving the entry). */
  used: boolean
}

/** What a caller knows of an entry it stores in the tier. */
export type L1Fields = Omit<L1Entry, 'expiresAt' | 'epoch' | 'bytes' | 'used'>

function sizeOf(payload: DriverValue): number {
  return typeof payload === 'string' ? payload.length * 2 : payload.byteLength
}

/**
 * The memory tier of a two-tier cache. It answers for an entry until the earlier of its L1 TTL
 * and the entry's own freshness, and only while it is `serving` (the invalidation bus is
 * connected). Eviction is CLOCK (second chance): bounded by entries and bytes, and a hit
 * allocates nothing and moves nothing.
 *
 * Writes race invalidations: a store read that started before an invalidation may end after it
 * with the old value. So a caller takes a {@link L1Tier.mark} before it reads or loads, and
 * {@link L1Tier.put} refuses the entry if any invalidation of that key (or any tag, pattern,
 * clear or bus outage) happened since.
 */
export class L1Tier {
  private readonly entries = new Map<string, L1Entry>()
  /** Bumped by every invalidation, clear and bus state change. */
  private generation = 0
  /** The generation at which each recently invalidated key was invalidated. */
  private readonly keyGenerations = new Map<string, number>()
  /** Generation of the last tag, pattern or clear invalidation and bus change (applies to every key). */
  private globalGeneration = 0
  private epoch = 0
  bytes = 0
  evictions = 0
  /** Whether hits may be served: the bus is connected (always, without a bus). */
  serving: boolean

  constructor(readonly config: ResolvedL1) {
    // With a bus or tracking, the tier serves once they are connected.
    this.serving = !config.bus && config.tracking === false
  }

  get size(): number {
    return this.entries.size
  }

  /** Taken before a store read or a load whose result may be stored here. */
  mark(): number {
    return this.generation
  }

  /** The entry this tier answers for at `now`, or undefined. */
  hit(fullKey: string, now: number): L1Entry | undefined {
    if (!this.serving) return undefined
    const entry = this.entries.get(fullKey)
    if (entry === undefined || entry.epoch !== this.epoch) return undefined
    if (now >= entry.expiresAt) return undefined
    entry.used = true
    return entry
  }

  /** Any entry still within its grace at `now`, served only while the store is unreachable. */
  fallback(fullKey: string, now: number): L1Entry | undefined {
    const entry = this.entries.get(fullKey)
    return entry !== undefined && now < entry.staleUntil ? entry : undefined
  }

  /**
   * Stores an entry unless an invalidation touched it since `mark`, or the tier is not serving.
   * Its L1 life ends at `now + ttl`, or earlier when the entry stops being fresh.
   */
  put(fullKey: string, fields: L1Fields, mark: number, now: number, entryExpiresAt: number | undefined): void {
    if (!this.serving || mark < this.globalGeneration) return
    const invalidatedAt = this.keyGenerations.get(fullKey)
    if (invalidatedAt !== undefined && mark < invalidatedAt) return
    const bytes = sizeOf(fields.payload)
    if (bytes > this.config.maxBytes) return
    let expiresAt = now + this.config.ttlMs
    if (fields.freshUntil !== undefined && fields.freshUntil < expiresAt) expiresAt = fields.freshUntil
    if (entryExpiresAt !== undefined && entryExpiresAt < expiresAt) expiresAt = entryExpiresAt
    if (expiresAt <= now) return
    this.remove(fullKey)
    this.entries.set(fullKey, { ...fields, expiresAt, epoch: this.epoch, bytes, used: false })
    this.bytes += bytes
    this.evict()
  }

  /** Drops keys (an invalidation, local or from the bus). */
  invalidateKeys(fullKeys: Iterable<string>): void {
    const generation = ++this.generation
    for (const fullKey of fullKeys) {
      this.remove(fullKey)
      this.keyGenerations.set(fullKey, generation)
    }
    // Only reads that started before now need these; past a bound, forget them all at once and
    // refuse every such read instead (rare, and only costs one L1 miss each).
    if (this.keyGenerations.size > this.config.maxEntries) {
      this.keyGenerations.clear()
      this.globalGeneration = generation
    }
  }

  /** Drops the entries `matches` selects (tags, patterns). */
  invalidateWhere(matches: (fullKey: string, entry: L1Entry) => boolean): void {
    this.globalGeneration = ++this.generation
    for (const [fullKey, entry] of this.entries) if (matches(fullKey, entry)) this.remove(fullKey)
  }

  /** Drops every entry carrying one of `tags`. */
  invalidateTags(tags: readonly string[]): void {
    this.invalidateWhere((_, entry) => entry.tags !== undefined && tags.some((tag) => entry.tags?.[tag] !== undefined))
  }

  /** Drops everything. */
  clear(): void {
    this.globalGeneration = ++this.generation
    this.keyGenerations.clear()
    this.entries.clear()
    this.bytes = 0
  }

  /**
   * The bus connection was lost: nothing is a hit from now on, and what is held stays only as a
   * grace fallback for a store that cannot be reached.
   */
  suspend(): void {
    this.serving = false
    this.epoch++
    this.globalGeneration = ++this.generation
  }

  /** The bus is connected again: entries stored from now on are hits (earlier ones never again). */
  resume(): void {
    this.serving = true
    this.globalGeneration = ++this.generation
  }

  private remove(fullKey: string): void {
    const entry = this.entries.get(fullKey)
    if (entry === undefined) return
    this.entries.delete(fullKey)
    this.bytes -= entry.bytes
  }

  /** CLOCK: the oldest entry goes unless it was read since; then it gets a second chance at the end. */
  private evict(): void {
    const { maxEntries, maxBytes } = this.config
    while (this.entries.size > maxEntries || this.bytes > maxBytes) {
      for (const [fullKey, entry] of this.entries) {
        this.entries.delete(fullKey)
        if (entry.used) {
          entry.used = false
          this.entries.set(fullKey, entry)
          continue
        }
        this.bytes -= entry.bytes
        this.evictions++
        break
      }
    }
  }
}
