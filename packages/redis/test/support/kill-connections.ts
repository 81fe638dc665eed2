import { createClient } from 'redis'

/** A node to reach: its port on 127.0.0.1, and the CA to trust when it serves TLS only. */
export interface KillTarget {
  readonly port: number
  readonly tls?: { readonly ca: string } | undefined
}

/** A short-lived admin connection (no reconnect) to `node`. */
export async function adminClient(node: KillTarget) {
  const client = createClient({
    RESP: 2,
    socket: { host: '127.0.0.1', port: node.port, reconnectStrategy: false, ...(node.tls === undefined ? {} : { tls: true as const, ca: node.tls.ca }) },
  })
  client.on('error', () => undefined)
  await client.connect()
  return client
}

/** Runs `CLIENT KILL <filter...>` on every node at once (admin connections opened first). */
export async function killClients(nodes: readonly KillTarget[], filter: readonly string[]): Promise<void> {
  const admins = await Promise.all(nodes.map(adminClient))
  try {
    await Promise.all(admins.map((admin) => admin.sendCommand(['CLIENT', 'KILL', ...filter])))
  } finally {
    for (const admin of admins) admin.destroy()
  }
}

/**
 * `CLIENT KILL TYPE pubsub` on every node at once: every connection in subscriber mode is closed
 * by the server, as a network cut or a server-side kill would.
 */
export function killPubSubConnections(nodes: readonly KillTarget[]): Promise<void> {
  return killClients(nodes, ['TYPE', 'pubsub'])
}
