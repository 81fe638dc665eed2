import { ClusterScanCursor, Decoder, type GlideClient, type GlideClusterClient, type GlideString } from '@valkey/valkey-glide'
import type { CallRunner } from './call-runner.js'
import { command, toText } from './commands.js'

/**
 * SCAN as an async iterable, one page per call (each with its own deadline). On a cluster GLIDE's
 * cluster-wide SCAN (`ClusterScanCursor`) walks every master, and follows slots that move while
 * it runs; a plain SCAN would only ever reach one node.
 */

/** Keys matching `pattern` on a standalone server. */
export async function* scanStandalone(runner: CallRunner, client: () => Promise<GlideClient>, pattern: string, count: number): AsyncGenerator<string> {
  let cursor = '0'
  do {
    const [next, keys] = await runner.run('scan', async () =>
      command<[GlideString, GlideString[]]>(await client(), ['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)], true),
    )
    cursor = toText(next) ?? '0'
    for (const key of keys) yield toText(key) as string
  } while (cursor !== '0')
}

/** Keys matching `pattern` on every master of a cluster. */
export async function* scanCluster(runner: CallRunner, client: () => Promise<GlideClusterClient>, pattern: string, count: number): AsyncGenerator<string> {
  let cursor = new ClusterScanCursor()
  while (!cursor.isFinished()) {
    const current = cursor
    const [next, keys] = await runner.run('scan', async () => (await client()).scan(current, { match: pattern, count, decoder: Decoder.Bytes }))
    cursor = next
    for (const key of keys) yield toText(key) as string
  }
}
