import { CallRunner } from './call-runner.js'
import { ClusterTarget } from './cluster-target.js'
import { newClient, newCluster, safeClientOptions } from './create-client.js'
import { sanitizeError } from './driver-errors.js'
import { type ConnectionSource, NodeConnection } from './node-connection.js'
import type { RedisDriverClient } from './options.js'
import type { ResolvedTarget, ResolvedTuning } from './resolve-options.js'
import { sentinelSource } from './sentinel.js'
import { type CommandTarget, StandaloneTarget } from './standalone-target.js'

/**
 * Opens what the options describe: the target the driver's calls go through (one server, the
 * Sentinel master, or a Cluster), and where the driver's own extra connections come from (pub/sub
 * and tracking), which are always the driver's, even next to a client handed in.
 */

/** Options a connection of the driver's own for pub/sub or tracking needs on a client handed in. */
export const SUBSCRIBER_OVERRIDES = { RESP: 2, maintNotifications: 'disabled', clientSideCache: undefined, emitInvalidate: false }

/** The command target and the source of the driver's own extra connections (pub/sub, tracking). */
export function openTarget(target: ResolvedTarget, tuning: ResolvedTuning, onError: (error: Error) => void): { commands: CommandTarget; subscriberSource: () => ConnectionSource } {
  switch (target.kind) {
    case 'clusterClient':
    case 'cluster': {
      const owned = target.kind === 'cluster'
      const cluster = owned ? newCluster(target.nodes, target.auth, tuning, target.clusterOptions) : target.client
      if (owned) cluster.on('error', (error: unknown) => onError(sanitizeError(error)))
      const commands = new ClusterTarget(cluster, owned, tuning.deadlineMs, tuning.maxPendingCalls, onError)
      let next = 0
      // Pub/sub on a cluster: SUBSCRIBE on any node receives what is published on every node;
      // the driver's subscriber connection is a duplicate of one master's node client.
      const subscriberSource = (): ConnectionSource => ({
        owned: true,
        open: async () => {
          const masters = cluster.masters
          if (masters.length === 0) throw new Error('the cluster has no known master yet')
          const master = masters[next++ % masters.length] as (typeof masters)[number]
          const node = await cluster.nodeClient(master)
          return node.duplicate(SUBSCRIBER_OVERRIDES as never) as RedisDriverClient
        },
      })
      return { commands, subscriberSource }
    }
    case 'client': {
      const client = target.client
      const connection = new NodeConnection({ owned: false, client }, tuning.socketTimeoutMs, onError)
      const commands = new StandaloneTarget(connection, new CallRunner(connection, tuning.deadlineMs, tuning.maxPendingCalls))
      return { commands, subscriberSource: () => ({ owned: true, open: async () => client.duplicate(SUBSCRIBER_OVERRIDES as never) as RedisDriverClient }) }
    }
    case 'standalone': {
      const source = (): ConnectionSource => ({
        owned: true,
        open: async () => newClient(safeClientOptions(target.host, target.port, target.db, target.auth, tuning, target.clientOptions)),
      })
      const connection = new NodeConnection(source(), tuning.socketTimeoutMs, onError)
      return { commands: new StandaloneTarget(connection, new CallRunner(connection, tuning.deadlineMs, tuning.maxPendingCalls)), subscriberSource: source }
    }
    case 'sentinel': {
      const connection = new NodeConnection(sentinelSource(target, tuning), tuning.socketTimeoutMs, onError)
      return {
        commands: new StandaloneTarget(connection, new CallRunner(connection, tuning.deadlineMs, tuning.maxPendingCalls)),
        subscriberSource: () => sentinelSource(target, tuning),
      }
    }
  }
}
