import type { ClusterCommandClient, CommandClient } from './commands.js'

/** `host:port` of a node connection, as ioredis names nodes in its slot table. */
function nodeKey(node: CommandClient): string {
  const options = (node as { options?: { host?: string; port?: number } }).options
  return `${options?.host ?? ''}:${options?.port ?? ''}`
}

/** The current masters, once each: the node list can name one master twice during a topology change. */
export function distinctMasters(cluster: ClusterCommandClient): CommandClient[] {
  const seen = new Set<string>()
  const masters: CommandClient[] = []
  for (const node of cluster.nodes('master')) {
    const key = nodeKey(node)
    if (seen.has(key)) continue
    seen.add(key)
    masters.push(node)
  }
  return masters
}

/**
 * The connection to the master serving `slot`, or undefined while the slot table is unknown.
 * PUBLISH has no key, so ioredis sends it to a random node; publishing a channel always through
 * the same node keeps its messages in order for subscribers on other nodes (two nodes forward
 * over two different cluster-bus links, which may reorder).
 */
export function slotMaster(cluster: ClusterCommandClient, slot: number): CommandClient | undefined {
  const owner = cluster.slots?.[slot]?.[0]
  if (owner === undefined) return undefined
  return cluster.nodes('master').find((node) => nodeKey(node) === owner)
}
