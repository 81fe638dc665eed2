import type { CallRunner } from './call-runner.js'
import { distinctMasters } from './cluster-nodes.js'
import type { ClusterCommandClient, CommandClient } from './commands.js'
import { scanConcurrently } from './concurrent-scan.js'

/**
 * SCAN as an async iterable. On a cluster every master holds its own keyspace, and SCAN on the
 * cluster object would only ever reach one node, so the driver walks every master (this is what
 * bentocache's cluster `clear()` misses), all of them at once with a bounded prefetch (see
 * {@link scanConcurrently}). Each SCAN page is one call with its own deadline.
 */

/** Every key of one node matching `pattern`. */
async function* scanNode(runner: CallRunner, node: CommandClient, pattern: string, count: number): AsyncGenerator<string> {
  let cursor = '0'
  do {
    const [next, keys] = await runner.run('scan', () => node.scan(cursor, 'MATCH', pattern, 'COUNT', count))
    cursor = String(next)
    for (const key of keys) yield key
  } while (cursor !== '0')
}

/** Keys matching `pattern` on a standalone server, or on every master of a cluster. */
export async function* scanKeys(
  runner: CallRunner,
  client: CommandClient,
  cluster: ClusterCommandClient | undefined,
  pattern: string,
  count: number,
): AsyncGenerator<string> {
  if (cluster === undefined) {
    yield* scanNode(runner, client, pattern, count)
    return
  }
  // Through the runner so that a cluster still discovering its slots is waited for.
  const masters = await runner.run('scan', async () => distinctMasters(cluster))
  yield* scanConcurrently(runner, masters, pattern, count)
}
