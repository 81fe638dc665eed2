import { RespError, parseInfoFields, redisCommandOk, sendRedisCommand } from './resp.js'

/**
 * Turns freshly started cluster-enabled servers into one Redis Cluster, the way `redis-cli
 * --cluster create` does, but with direct commands so there is no 1 s polling step and no
 * dependency on redis-cli: distinct config epochs, slot ranges on the masters, MEET, REPLICATE,
 * then wait until every node agrees.
 */

const SLOT_COUNT = 16384
const POLL_MS = 20

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it resolves true or `timeoutMs` passes. */
export async function waitFor(description: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      if (await check()) return
    } catch (error) {
      lastError = error
    }
    await sleep(POLL_MS)
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${reason}`)
}

/** The node's own id. */
export async function clusterNodeId(port: number): Promise<string> {
  return String(await redisCommandOk(port, ['CLUSTER', 'MYID']))
}

/** One line of CLUSTER NODES. */
interface ClusterNodeLine {
  readonly id: string
  readonly port: number
  readonly flags: readonly string[]
  readonly masterId: string
}

async function clusterNodes(port: number): Promise<ClusterNodeLine[]> {
  const text = String(await redisCommandOk(port, ['CLUSTER', 'NODES']))
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = ''] = line.split(' ')
      const hostPort = address.split('@')[0] ?? ''
      return { id, port: Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)), flags: flags.split(','), masterId }
    })
}

/** True when this node sees the cluster as healthy with `nodeCount` nodes and all slots served. */
export async function clusterStateOk(port: number, nodeCount: number): Promise<boolean> {
  const info = parseInfoFields(String(await redisCommandOk(port, ['CLUSTER', 'INFO'])))
  return (
    info.get('cluster_state') === 'ok' &&
    info.get('cluster_slots_assigned') === String(SLOT_COUNT) &&
    info.get('cluster_slots_ok') === String(SLOT_COUNT) &&
    Number(info.get('cluster_known_nodes')) === nodeCount
  )
}

/** INFO replication of a node. */
export async function replicationInfo(port: number): Promise<Map<string, string>> {
  return parseInfoFields(String(await redisCommandOk(port, ['INFO', 'replication'])))
}

/** The layout to build: masters and, for each, the ports of its replicas. */
export interface ClusterLayout {
  readonly masters: readonly { readonly port: number; readonly busPort: number }[]
  readonly replicas: readonly { readonly port: number; readonly busPort: number; readonly masterIndex: number }[]
}

/** Builds the cluster and resolves once every node reports it healthy. */
export async function formCluster(layout: ClusterLayout, timeoutMs: number): Promise<void> {
  const all = [...layout.masters, ...layout.replicas]
  // Distinct epochs up front, as redis-cli does: otherwise every master starts at epoch 0 and
  // the collision-resolution dance delays a stable view of the slots.
  await Promise.all(all.map((node, i) => redisCommandOk(node.port, ['CLUSTER', 'SET-CONFIG-EPOCH', i + 1])))
  await Promise.all(
    layout.masters.map((node, i) => {
      const first = Math.floor((i * SLOT_COUNT) / layout.masters.length)
      const last = Math.floor(((i + 1) * SLOT_COUNT) / layout.masters.length) - 1
      return redisCommandOk(node.port, ['CLUSTER', 'ADDSLOTSRANGE', first, last])
    }),
  )
  const first = all[0]
  if (first === undefined) throw new Error('a cluster needs at least one node')
  for (const node of all.slice(1)) {
    await redisCommandOk(first.port, ['CLUSTER', 'MEET', '127.0.0.1', node.port, node.busPort])
  }
  await waitFor('every node to know every other node', timeoutMs, async () => {
    for (const node of all) {
      const lines = await clusterNodes(node.port)
      if (lines.length !== all.length || lines.some((line) => line.flags.includes('handshake'))) return false
    }
    return true
  })
  const masterIds = await Promise.all(layout.masters.map((node) => clusterNodeId(node.port)))
  for (const replica of layout.replicas) {
    const masterId = masterIds[replica.masterIndex] as string
    await waitFor('a replica to accept its master', timeoutMs, async () => {
      const reply = await sendRedisCommand(replica.port, ['CLUSTER', 'REPLICATE', masterId])
      return !(reply instanceof RespError)
    })
  }
  await waitFor('cluster_state:ok on every node', timeoutMs, async () => {
    for (const node of all) if (!(await clusterStateOk(node.port, all.length))) return false
    for (const replica of layout.replicas) {
      if ((await replicationInfo(replica.port)).get('master_link_status') !== 'up') return false
    }
    // Every node must list each replica under its master, so a client that asks any node for
    // the slot map (CLUSTER SLOTS) sees the same topology.
    for (const node of all) {
      const lines = await clusterNodes(node.port)
      const replicaLines = lines.filter((line) => line.flags.includes('slave'))
      if (replicaLines.length !== layout.replicas.length) return false
    }
    return true
  })
}
