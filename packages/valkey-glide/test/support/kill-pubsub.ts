import { GlideClient } from '@valkey/valkey-glide'

/** A node to reach: its port on 127.0.0.1, and the CA to trust when it serves TLS only. */
export interface KillTarget {
  readonly port: number
  readonly tls?: { readonly ca: string } | undefined
}

/**
 * `CLIENT KILL TYPE pubsub` on every node at once: every connection in subscriber mode is closed
 * by the server, as a network cut or a server-side kill would. The admin clients are opened first
 * and the kills sent together, so a subscriber that reconnects elsewhere is not killed twice.
 */
export async function killPubSubConnections(nodes: readonly KillTarget[]): Promise<void> {
  const admins = await Promise.all(
    nodes.map((node) =>
      GlideClient.createClient({
        addresses: [{ host: '127.0.0.1', port: node.port }],
        requestTimeout: 2000,
        ...(node.tls === undefined ? {} : { useTLS: true, advancedConfiguration: { tlsAdvancedConfiguration: { rootCertificates: node.tls.ca } } }),
      }),
    ),
  )
  try {
    await Promise.all(admins.map((admin) => admin.customCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub'])))
  } finally {
    for (const admin of admins) admin.close()
  }
}
