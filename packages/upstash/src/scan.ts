import type { Redis } from '@upstash/redis'

/**
 * SCAN cursor MATCH pattern COUNT count until the cursor comes back to "0", one HTTP request per
 * round. Keys are yielded as each page arrives; like SCAN itself, a key may come twice.
 */
export async function* scanKeys(
  client: Redis,
  pattern: string,
  count: number,
  beforeEachPage: () => void,
): AsyncGenerator<string, void, undefined> {
  let cursor = '0'
  do {
    beforeEachPage()
    const [next, keys] = await client.exec<[string | number, string[]]>(['SCAN', cursor, 'MATCH', pattern, 'COUNT', count])
    // The cursor is a bulk string on the wire; keep it a string (it can exceed 2^53).
    cursor = String(next)
    for (const key of keys) yield key
  } while (cursor !== '0')
}
