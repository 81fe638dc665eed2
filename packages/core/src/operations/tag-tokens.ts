import type { StoreCalls } from '../store-calls/store-calls.js'
import type { KeySpec } from '../keys/define-key.js'
import type { CacheOperation, LabelAttributes } from '../observability/metrics.js'
import { readKeys } from '../store-calls/read-keys.js'
import { encodeBase64Url } from '../keys/sha256.js'

/**
 * Tag invalidation in O(1): each tag has a version token stored at `<prefix>:cachette:tag:<tag>`.
 * An entry records the tokens of its tags when it is written; invalidating a tag replaces its
 * token (one SET, whatever the number of entries); a read whose recorded token differs from the
 * current one, or whose token is gone, is a miss. Tokens are 128 random bits, so a token created
 * again after it expired can never equal an old one and revive old entries.
 *
 * Soft expiry (`expireTags`) also replaces the token, but keeps the earlier ones after it,
 * space-separated (`<current> <previous> ...`, at most {@link MAX_SOFT_TOKENS} in all): an entry
 * recorded under a kept token is stale rather than gone, so grace can still serve it.
 */

/** Tokens a tag's key holds at most: the current one and the soft-expired ones before it. */
const MAX_SOFT_TOKENS = 8

/** What a tagged entry's recorded tokens say: all current, one soft-expired, or one gone. */
export type TagState = 'fresh' | 'stale' | 'miss'

function currentToken(stored: string): string {
  const space = stored.indexOf(' ')
  return space === -1 ? stored : stored.slice(0, space)
}

const REFRESH_INTERVAL_MS = 3_600_000
const MAX_REMEMBERED_REFRESHES = 10_000
let fallbackCounter = 0

/**
 * 128 random bits, base64url: tag version tokens and distributed lock tokens.
 *
 * @example
 * ```ts
 * newToken() // 'q3Vw0Jw8mZ0bqzjH2o6wXg'
 * ```
 */
export function newToken(): string {
  const bytes = new Uint8Array(16)
  const crypto = (globalThis as { crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array } }).crypto
  if (typeof crypto?.getRandomValues === 'function') {
    crypto.getRandomValues(bytes)
  } else {
    // Runtimes without WebCrypto are rare; time + counter + Math.random still never repeat in one process.
    const view = new DataView(bytes.buffer)
    view.setFloat64(0, Date.now())
    view.setUint32(8, ++fallbackCounter)
    view.setUint32(12, Math.floor(Math.random() * 0x1_0000_0000))
  }
  return encodeBase64Url(bytes)
}

/**
 * Reads, creates, refreshes and replaces tag version tokens for one cache. The cache's runtime
 * holds its instance (`rt.tagTokens`); it makes its calls through the store-call path only, so it
 * does not import the runtime that holds it.
 */
export class TagTokens {
  /**
   * A token key lives maxTtl + the refresh interval, and this process extends it at most once
   * per interval per tag: every entry it writes (TTL <= maxTtl) therefore expires before the
   * token it was written under, however rarely the tag is written.
   */
  private readonly tokenTtlMs: number
  private readonly refreshIntervalMs: number
  private readonly refreshedAt = new Map<string, number>()

  constructor(private readonly store: StoreCalls) {
    this.refreshIntervalMs = Math.min(REFRESH_INTERVAL_MS, store.config.maxTtlMs)
    this.tokenTtlMs = store.config.maxTtlMs + this.refreshIntervalMs
  }

  tokenKey(tag: string): string {
    return `${this.store.config.keyPrefix}cachette:tag:${tag}`
  }

  /** Current tokens of `tags` (null where absent). One MGET, or parallel GETs on a cluster (no cross-slot MGET). */
  read(tags: readonly string[], operation: CacheOperation, attributes: LabelAttributes, spec: KeySpec | undefined): Promise<(string | null)[]> {
    return readKeys(this.store, tags.map((tag) => this.tokenKey(tag)), operation, attributes, spec)
  }

  /** 'fresh' when every recorded token is still the current one, 'stale' when one was soft-expired, else 'miss'. */
  async verify(recorded: Readonly<Record<string, string>>, attributes: LabelAttributes, spec: KeySpec | undefined): Promise<TagState> {
    const tags = Object.keys(recorded)
    if (tags.length === 0) return 'fresh'
    const current = await this.read(tags, 'get', attributes, spec)
    let state: TagState = 'fresh'
    for (let i = 0; i < tags.length; i++) {
      const stored = current[i]
      const token = recorded[tags[i] as string] as string
      if (stored === token) continue
      if (stored === null || stored === undefined || !stored.split(' ').includes(token)) return 'miss'
      if (currentToken(stored) !== token) state = 'stale'
    }
    return state
  }

  /**
   * The tokens to write an entry under, creating missing ones (SET NX, so concurrent writers
   * agree on one) and extending their TTL. Returns a tag -> token record for the envelope.
   */
  async ensure(tags: readonly string[], attributes: LabelAttributes, spec: KeySpec | undefined): Promise<Record<string, string>> {
    const driver = this.store.config.driver
    const current = await this.read(tags, 'set', attributes, spec)
    const now = this.store.config.clock.now()
    const work: Promise<unknown>[] = []
    const record: Record<string, string> = Object.create(null)
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i] as string
      const key = this.tokenKey(tag)
      const token = current[i]
      if (token === null || token === undefined) {
        work.push(
          (async () => {
            const fresh = newToken()
            const created = await this.store.call('set', attributes, spec, () => driver.set(key, fresh, { ttlMs: this.tokenTtlMs, condition: 'nx' }))
            // Another writer created it first: use theirs. Gone again already: the entry will read as a miss.
            const theirs = created ? fresh : await this.store.call('set', attributes, spec, () => driver.get(key))
            record[tag] = theirs === null ? fresh : currentToken(theirs)
            this.remember(tag, now)
          })(),
        )
      } else {
        record[tag] = currentToken(token)
        if (now - (this.refreshedAt.get(tag) ?? Number.NEGATIVE_INFINITY) >= this.refreshIntervalMs) {
          this.remember(tag, now)
          work.push(this.store.call('set', attributes, spec, () => driver.pexpire(key, this.tokenTtlMs)))
        }
      }
    }
    if (work.length > 0) await Promise.all(work)
    return record
  }

  /** Replaces the tokens of `tags`: one SET per tag, however many entries carry it. */
  async invalidate(tags: readonly string[], attributes: LabelAttributes): Promise<void> {
    const driver = this.store.config.driver
    const now = this.store.config.clock.now()
    await Promise.all(
      tags.map(async (tag) => {
        await this.store.call('invalidateTags', attributes, undefined, () => driver.set(this.tokenKey(tag), newToken(), { ttlMs: this.tokenTtlMs }))
        this.remember(tag, now)
      }),
    )
  }

  /**
   * Soft-expires `tags`: a new current token, the earlier ones kept after it, so the entries
   * written under them read as stale (served by grace when the loader fails) instead of as misses.
   * Atomic per tag where the driver has compareAndSet (a concurrent invalidation is not undone);
   * a tag without a token has no live entry and is left alone.
   */
  async expire(tags: readonly string[], attributes: LabelAttributes): Promise<void> {
    const driver = this.store.config.driver
    const now = this.store.config.clock.now()
    await Promise.all(
      tags.map(async (tag) => {
        const key = this.tokenKey(tag)
        for (let attempt = 0; attempt < 3; attempt++) {
          const stored = await this.store.call('invalidateTags', attributes, undefined, () => driver.get(key))
          if (stored === null) return
          const next = [newToken(), ...stored.split(' ')].slice(0, MAX_SOFT_TOKENS).join(' ')
          const compareAndSet = driver.compareAndSet
          if (compareAndSet === undefined || driver.capabilities.compareAndSet !== true) {
            await this.store.call('invalidateTags', attributes, undefined, () => driver.set(key, next, { ttlMs: this.tokenTtlMs }))
            break
          }
          if (await this.store.call('invalidateTags', attributes, undefined, () => compareAndSet.call(driver, key, stored, next, { ttlMs: this.tokenTtlMs }))) break
          // Replaced meanwhile (another invalidation or expiry): read it again.
        }
        this.remember(tag, now)
      }),
    )
  }

  private remember(tag: string, now: number): void {
    if (this.refreshedAt.size >= MAX_REMEMBERED_REFRESHES && !this.refreshedAt.has(tag)) this.refreshedAt.clear()
    this.refreshedAt.set(tag, now)
  }
}
