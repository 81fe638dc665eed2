import type { StorageLike } from '../../src/outbox/web-storage-outbox.js'

/**
 * A `Storage` stand-in over a Map: exactly the interface, nothing of a browser. `quotaChars`
 * makes `setItem` throw like a browser at its quota (a DOMException named QuotaExceededError).
 */
export class MapStorage implements StorageLike {
  readonly items = new Map<string, string>()
  setItemCalls = 0

  constructor(private readonly quotaChars = Number.POSITIVE_INFINITY) {}

  getItem(key: string): string | null {
    return this.items.get(key) ?? null
  }

  setItem(key: string, value: string): void {
    this.setItemCalls += 1
    let used = key.length + value.length
    for (const [other, stored] of this.items) if (other !== key) used += other.length + stored.length
    if (used > this.quotaChars) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    this.items.set(key, value)
  }

  removeItem(key: string): void {
    this.items.delete(key)
  }
}
