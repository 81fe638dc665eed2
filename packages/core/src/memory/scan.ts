import { compileGlob } from '../keys/glob.js'
import { closedError } from './driver-errors.js'
import type { MemoryStore } from './store.js'

/** Keys checked per chunk (between two checks that the driver is still open) without a COUNT hint. */
export const DEFAULT_SCAN_COUNT = 1_000

/**
 * SCAN MATCH over a snapshot of the key list taken when iteration starts. Each key is checked
 * again (alive, not expired) when its turn comes, so keys deleted meanwhile are skipped and keys
 * added meanwhile may be missed — within SCAN's guarantees. A snapshot, rather than walking the
 * live `Map`, matters because an LRU touch moves a key to the end: a caller that reads every
 * scanned key would otherwise keep meeting the same keys forever.
 */
export async function* scanKeys(store: MemoryStore, pattern: string, count: number, isClosed: () => boolean): AsyncGenerator<string, void, undefined> {
  if (isClosed()) throw closedError()
  const matches = compileGlob(pattern)
  const snapshot = Array.from(store.entries.keys())
  for (let start = 0; start < snapshot.length; start += count) {
    if (start > 0 && isClosed()) throw closedError()
    const end = Math.min(start + count, snapshot.length)
    for (let i = start; i < end; i++) {
      const key = snapshot[i] as string
      if (store.peek(key) !== undefined && matches(key)) yield key
    }
  }
}
