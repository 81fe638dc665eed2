import type { KeySpec } from '../keys/define-key.js'
import type { CacheErrorCode } from '../errors.js'
import type { LabelAttributes } from './metrics.js'

/** The events a cache emits. */
export type CacheEventName = 'hit' | 'miss' | 'staleHit' | 'set' | 'delete' | 'error' | 'circuitOpened' | 'circuitClosed'

const EVENT_NAMES: readonly CacheEventName[] = ['hit', 'miss', 'staleHit', 'set', 'delete', 'error', 'circuitOpened', 'circuitClosed']

/**
 * What a listener receives. Never a value, a key or a key parameter: the key family's label and
 * template only, as in logs and metrics.
 */
export interface CacheEvent {
  /** Which event. */
  readonly type: CacheEventName
  /** The key family label (`identity:patient`), the same as the `key_prefix` metrics label. */
  readonly keyPrefix: string
  /** The key template (`patient:{id}`); absent for string keys and cache-wide events. */
  readonly template?: string
  /** The cache operation (`get`, `getOrSet`, `set`, `invalidate`, ...) or `loader` for a loader failure. */
  readonly operation?: string
  /** `error`: the error code (absent for a loader error, which is the application's own). */
  readonly code?: CacheErrorCode
  /** `error`: where the failure came from. */
  readonly source?: 'store' | 'loader'
  /** `delete`: how many entries (or tags, for invalidateTags) the invalidation removed. */
  readonly count?: number
  /** `hit`, `miss`, `staleHit` of a two-tier cache (`l1` option): which tier answered (`'store'` for a miss). */
  readonly tier?: 'l1' | 'store'
  /** The driver's name. */
  readonly driver: string
}

/** A listener of {@link CacheEvent}s. It runs synchronously on the cache's path: keep it short. */
export type CacheEventListener = (event: CacheEvent) => void

/** Listeners given to `createCache({ events })`, by event name. */
export type CacheEventListeners = { readonly [Name in CacheEventName]?: CacheEventListener }

/** What diagnostics_channel looks like to the cache: `channel(name)` with `hasSubscribers` and `publish`. */
export interface DiagnosticsChannelModule {
  /**
   * The named channel; the cache uses one per event, `cachette:<event>`, and publishes only while it has subscribers.
   *
   * @example
   * ```ts
   * const hits = dc.channel('cachette:hit')
   * if (hits.hasSubscribers) hits.publish(event)
   * ```
   */
  channel(name: string): { readonly hasSubscribers: boolean; publish(message: unknown): void }
}

/** Details an emit site may add. */
export interface EventDetails {
  readonly operation?: string
  readonly code?: CacheErrorCode
  readonly source?: 'store' | 'loader'
  readonly count?: number
  readonly tier?: 'l1' | 'store'
}

/**
 * Finds `node:diagnostics_channel` without importing `node:*` (core runs on edge runtimes):
 * `process.getBuiltinModule` exists on Node >= 20.16; elsewhere tracing is simply off.
 *
 * @example
 * ```ts
 * const dc = findDiagnosticsChannel() // undefined on an edge runtime
 * ```
 */
export function findDiagnosticsChannel(): DiagnosticsChannelModule | undefined {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule
  if (typeof getBuiltinModule !== 'function') return undefined
  try {
    const module = getBuiltinModule('node:diagnostics_channel') as DiagnosticsChannelModule | undefined
    return typeof module?.channel === 'function' ? module : undefined
  } catch {
    return undefined
  }
}

type Channel = ReturnType<DiagnosticsChannelModule['channel']>

/**
 * The cache's event hub. `active` is false while nobody listens, so every emit site is
 * `if (rt.events.active) ...`: one property read on the hit path, no allocation.
 */
export class CacheEvents {
  active = false
  private readonly listeners = new Map<CacheEventName, CacheEventListener[]>()
  private readonly channels: ReadonlyMap<CacheEventName, Channel> | undefined

  constructor(
    private readonly driverName: string,
    initial: CacheEventListeners | undefined,
    diagnostics: DiagnosticsChannelModule | undefined,
  ) {
    if (diagnostics !== undefined) {
      // Channel objects are cheap and cached by Node; `hasSubscribers` is checked on each emit.
      this.channels = new Map(EVENT_NAMES.map((name) => [name, diagnostics.channel(`cachette:${name}`)]))
      this.active = true
    }
    if (initial !== undefined) for (const name of EVENT_NAMES) if (initial[name] !== undefined) this.on(name, initial[name] as CacheEventListener)
  }

  /** Adds a listener; returns the function that removes it. */
  on(name: CacheEventName, listener: CacheEventListener): () => void {
    let list = this.listeners.get(name)
    if (list === undefined) {
      list = []
      this.listeners.set(name, list)
    }
    // Copy on write: an emit in progress keeps iterating the array it started with.
    this.listeners.set(name, [...list, listener])
    this.active = true
    return () => {
      const current = this.listeners.get(name)
      if (current === undefined) return
      const index = current.indexOf(listener)
      if (index === -1) return
      const next = current.filter((_, i) => i !== index)
      if (next.length === 0) this.listeners.delete(name)
      else this.listeners.set(name, next)
      this.active = this.channels !== undefined || this.listeners.size > 0
    }
  }

  /** Emits to listeners and the diagnostics channel. A listener that throws is ignored: events never fail a call. */
  emit(name: CacheEventName, attributes: LabelAttributes | undefined, spec: KeySpec | undefined, details?: EventDetails): void {
    const list = this.listeners.get(name)
    const channel = this.channels?.get(name)
    const published = channel?.hasSubscribers === true
    if (list === undefined && !published) return
    const event: CacheEvent = {
      type: name,
      keyPrefix: attributes?.label ?? '(cache)',
      ...(spec === undefined ? {} : { template: spec.template }),
      ...details,
      driver: this.driverName,
    }
    if (list !== undefined) {
      for (const listener of list) {
        try {
          listener(event)
        } catch {
          // A listener bug must not turn a cache hit into a failed request.
        }
      }
    }
    if (published) {
      try {
        channel?.publish(event)
      } catch {
        // Same for a diagnostics subscriber.
      }
    }
  }
}
