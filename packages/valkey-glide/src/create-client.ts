import { GlideClient, GlideClusterClient, Logger, type GlideClientConfiguration, type GlideClusterClientConfiguration, type PubSubMsg } from '@valkey/valkey-glide'
import type { GlideConnectionOptions } from './options.js'
import type { ResolvedTuning } from './resolve-options.js'

/** The client a driver talks to: standalone or cluster. */
export type AnyGlideClient = GlideClient | GlideClusterClient

/**
 * GLIDE configuration for the clients the driver opens:
 * - `lazyConnect`: the factory stays synchronous and a server that is down at startup does not
 *   fail creation; the first call connects, under the driver's deadline.
 * - `requestTimeout` = the deadline: GLIDE drops a request when its caller has given up.
 * - `inflightRequestsLimit` = `maxPendingCalls`.
 */
function configuration(connection: GlideConnectionOptions, tuning: ResolvedTuning): GlideClientConfiguration & GlideClusterClientConfiguration {
  const tls = connection.tls
  return {
    addresses: connection.addresses.map((address) => ({ host: address.host, port: address.port ?? 6379 })),
    ...(connection.useTLS === true ? { useTLS: true } : {}),
    ...(connection.credentials === undefined
      ? {}
      : { credentials: { password: connection.credentials.password, ...(connection.credentials.username === undefined ? {} : { username: connection.credentials.username }) } }),
    ...(connection.databaseId === undefined ? {} : { databaseId: connection.databaseId }),
    ...(connection.clientName === undefined ? {} : { clientName: connection.clientName }),
    requestTimeout: tuning.deadlineMs,
    inflightRequestsLimit: tuning.maxPendingCalls,
    lazyConnect: true,
    advancedConfiguration: {
      connectionTimeout: tuning.connectTimeoutMs,
      ...(tls === undefined
        ? {}
        : {
            tlsAdvancedConfiguration: {
              ...(tls.insecure === undefined ? {} : { insecure: tls.insecure }),
              ...(tls.rootCertificates === undefined
                ? {}
                : { rootCertificates: typeof tls.rootCertificates === 'string' ? tls.rootCertificates : Buffer.from(tls.rootCertificates) }),
            },
          }),
    },
  }
}

/** Opens the driver's command client. */
export function createClient(connection: GlideConnectionOptions, tuning: ResolvedTuning): Promise<AnyGlideClient> {
  const config = configuration(connection, tuning)
  return connection.clusterMode === true ? GlideClusterClient.createClient(config) : GlideClient.createClient(config)
}

/**
 * Opens a dedicated subscriber client: GLIDE delivers the messages of dynamic subscriptions
 * (`subscribe()` after creation) to the callback configured at creation, so the driver needs a
 * client whose configuration it wrote. No channel at creation; the driver subscribes as asked.
 */
export function createSubscriberClient(connection: GlideConnectionOptions, tuning: ResolvedTuning, onMessage: (message: PubSubMsg) => void): Promise<AnyGlideClient> {
  const config = configuration(connection, tuning)
  const pubsubSubscriptions = { channelsAndPatterns: {}, callback: (message: PubSubMsg) => onMessage(message) }
  return connection.clusterMode === true
    ? GlideClusterClient.createClient({ ...config, pubsubSubscriptions })
    : GlideClient.createClient({ ...config, pubsubSubscriptions })
}

let loggerSet = false

/**
 * GLIDE's core prints a WARN line to the console on every failed connection attempt (several per
 * second during an outage) unless its logger was configured. A driver never logs: ask for errors
 * only, unless the application configured GLIDE's logger first (`Logger.init` keeps theirs).
 */
export function quietGlideLogger(): void {
  if (loggerSet) return
  loggerSet = true
  Logger.init('error')
}
