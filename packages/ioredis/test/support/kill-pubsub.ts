import { Redis } from 'ioredis'

/** A node to reach: its port on 127.0.0.1, and the CA to trust when it serves TLS only. */
export interface KillTarget {
  readonly port: number
  readonly tls?: { readonly ca: string } | undefined
}

/**
 * `CLIENT KILL TYPE pubsub` on every node at once: every connection in subscriber mode is closed
 * by the server, as a network cut or a server-side kill would. The admin connections are opened
 * first and the kills sent together, so a subscriber that reconnects to another node (a Cluster
 * picks a random one) is not killed a second time by a kill that was merely late.
 */
export async function killPubSubConnections(nodes: readonly KillTarget[]): Promise<void> {
  const admins = nodes.map(
    (node) =>
      new Redis({
        host: '127.0.0.1',
        port: node.port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        ...(node.tls === undefined ? {} : { tls: { ca: node.tls.ca } }),
      }),
  )
  try {
    await Promise.all(admins.map((admin) => admin.connect()))
    await Promise.all(admins.map((admin) => admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')))
  } finally {
    for (const admin of admins) admin.disconnect()
  }
}
