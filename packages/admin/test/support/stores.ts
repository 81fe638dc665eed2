import { isTombstone, type Driver } from '@cachette/core'

/**
 * Every live key of the store below `start` (SCAN through the driver itself, not the cache). With
 * the cache's fence on, a deleted entry is replaced by a short-lived tombstone, which reads as a
 * miss: it is left out, as a deleted key.
 */
export async function keysBelow(driver: Driver, start: string): Promise<string[]> {
  const keys: string[] = []
  for await (const key of driver.scan(`${start.replace(/[*?[\]\\]/g, '\\$&')}*`)) {
    const value = await driver.get(key)
    if (value !== null && !isTombstone(value)) keys.push(key)
  }
  return keys.sort()
}
