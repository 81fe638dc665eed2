import type { Redis } from '@upstash/redis'

/*
 * Commands over many keys. One HTTP request either way, but a single MGET / DEL of 100,000
 * keys would make one huge command that blocks the server while it runs; past
 * KEYS_PER_COMMAND the keys go as several commands in one pipeline request.
 */

/** Keys per MGET / DEL command. */
export const KEYS_PER_COMMAND = 1_000

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size))
  return result
}

/** MGET, in order, `null` where absent. */
export async function mgetKeys(client: Redis, keys: readonly string[]): Promise<(string | null)[]> {
  if (keys.length === 0) return []
  if (keys.length <= KEYS_PER_COMMAND) return client.exec<(string | null)[]>(['MGET', ...keys])
  const pipeline = client.pipeline()
  for (const chunk of chunks(keys, KEYS_PER_COMMAND)) pipeline.mget(...chunk)
  return ((await pipeline.exec()) as (string | null)[][]).flat()
}

/** DEL: how many of the keys existed. */
export async function deleteKeys(client: Redis, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0
  if (keys.length <= KEYS_PER_COMMAND) return client.exec<number>(['DEL', ...keys])
  const pipeline = client.pipeline()
  for (const chunk of chunks(keys, KEYS_PER_COMMAND)) pipeline.del(...chunk)
  return ((await pipeline.exec()) as number[]).reduce((sum, count) => sum + count, 0)
}
