import type { GlideClient, GlideClusterClient } from '@valkey/valkey-glide'

/**
 * Options of `glideDriver()`: a client you own, or the addresses the driver connects to, plus the
 * tuning below. Validated once by `resolveOptions()` (resolve-options.ts).
 */

/** Tuning shared by both forms of {@link GlideDriverOptions}. */
export interface GlideDriverTuning {
  /**
   * Deadline of every driver call in milliseconds, from the call to its answer, however many
   * round trips it takes (a cluster MGET fans out per slot; a SCAN page is one call). Past it the
   * call rejects with `DeadlineExceededError`. The clients the driver opens also get it as GLIDE's
   * `requestTimeout`, so GLIDE drops the request at the same moment. The default matches
   * `createCache`'s `deadlineMs`.
   * @default 500
   * @example
   * ```ts
   * const driver = glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }], deadlineMs: 100 })
   * createCache({ driver, deadlineMs: 100 })
   * ```
   */
  readonly deadlineMs?: number
  /**
   * GLIDE `advancedConfiguration.connectionTimeout`: how long one TCP (and TLS) connect may take,
   * at startup and on every reconnection.
   * @default 2000
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }], connectTimeoutMs: 1000 })
   * ```
   */
  readonly connectTimeoutMs?: number
  /**
   * Calls that may be in flight at once. Beyond that a call fails at once instead of queueing.
   * It is also GLIDE's `inflightRequestsLimit` on the clients the driver opens.
   * @default 1000
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }], maxPendingCalls: 5000 })
   * ```
   */
  readonly maxPendingCalls?: number
  /**
   * SCAN COUNT hint: keys examined per SCAN round trip (per master on a cluster).
   * @default 250
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }], scanCount: 1000 }) // fewer round trips for deletePattern
   * ```
   */
  readonly scanCount?: number
  /**
   * Keys per UNLINK command when deleting many keys.
   * @default 500
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }], deleteBatchSize: 100 })
   * ```
   */
  readonly deleteBatchSize?: number
  /**
   * How often the subscriber connection's state is read from GLIDE (its desired and actual
   * subscriptions), to tell `onConnectionChange` about a connection that is down. A connection
   * that was lost and re-established in between is noticed at once anyway (GLIDE subscribes
   * again, and the server confirms it).
   * @default 100
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }], pubsubCheckIntervalMs: 250 })
   * ```
   */
  readonly pubsubCheckIntervalMs?: number
}

/** A `host`/`port` pair of a server or a cluster node. */
export interface GlideNodeAddress {
  /**
   * Host name or IP.
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: '10.0.0.1', port: 6379 }] })
   * ```
   */
  readonly host: string
  /**
   * TCP port.
   * @default 6379
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: 'valkey.internal', port: 6380 }] })
   * ```
   */
  readonly port?: number
}

/** Credentials (AUTH / ACL) for the clients the driver opens. */
export interface GlideCredentials {
  /**
   * ACL user name.
   * @default undefined (the default user)
   * @example
   * ```ts
   * glideDriver({ addresses, credentials: { username: 'identity-api', password: process.env.REDIS_PASSWORD ?? '' } })
   * ```
   */
  readonly username?: string
  /**
   * Password.
   * @example
   * ```ts
   * glideDriver({ addresses, credentials: { password: process.env.REDIS_PASSWORD ?? '' } })
   * ```
   */
  readonly password: string
}

/** TLS details beyond `useTLS`. */
export interface GlideTlsOptions {
  /**
   * PEM root certificates to trust instead of the system's store (a private CA).
   * @default undefined (the system's trust store)
   * @example
   * ```ts
   * glideDriver({ addresses, useTLS: true, tls: { rootCertificates: readFileSync('/etc/ssl/certs/redis-ca.pem', 'utf8') } })
   * ```
   */
  readonly rootCertificates?: string | Uint8Array
  /**
   * Skip certificate verification. For development only.
   * @default false
   * @example
   * ```ts
   * glideDriver({ addresses, useTLS: true, tls: { insecure: true } }) // a self-signed test server
   * ```
   */
  readonly insecure?: boolean
}

/** The form of {@link GlideDriverOptions} in which the driver opens its own clients. */
export interface GlideConnectionOptions {
  /**
   * Server addresses. Standalone: the server (GLIDE uses only these). Cluster: any few nodes; the
   * rest is discovered.
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }] })
   * ```
   */
  readonly addresses: readonly GlideNodeAddress[]
  /**
   * Connect to a Valkey / Redis Cluster (GLIDE's `GlideClusterClient`, with its own slot routing).
   * @default false
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: '10.0.0.1', port: 7000 }], clusterMode: true })
   * ```
   */
  readonly clusterMode?: boolean
  /**
   * TLS to every node. Must match the servers' configuration.
   * @default false
   * @example
   * ```ts
   * glideDriver({ addresses: [{ host: 'valkey.internal', port: 6380 }], useTLS: true })
   * ```
   */
  readonly useTLS?: boolean
  /**
   * Root certificates and verification; needs `useTLS`.
   * @default undefined
   * @example
   * ```ts
   * glideDriver({ addresses, useTLS: true, tls: { rootCertificates: caPem } })
   * ```
   */
  readonly tls?: GlideTlsOptions
  /**
   * AUTH credentials.
   * @default undefined (no AUTH)
   * @example
   * ```ts
   * glideDriver({ addresses, credentials: { password: process.env.REDIS_PASSWORD ?? '' } })
   * ```
   */
  readonly credentials?: GlideCredentials
  /**
   * Logical database (standalone; a cluster needs Valkey 9 with cluster databases).
   * @default 0
   * @example
   * ```ts
   * glideDriver({ addresses, databaseId: 2 })
   * ```
   */
  readonly databaseId?: number
  /**
   * CLIENT SETNAME of the driver's connections.
   * @default undefined
   * @example
   * ```ts
   * glideDriver({ addresses, clientName: 'identity-api' })
   * ```
   */
  readonly clientName?: string
}

/**
 * How `glideDriver()` reaches Valkey, plus {@link GlideDriverTuning}.
 *
 * - `{ client }`: a `GlideClient` or `GlideClusterClient` you created and will close yourself.
 *   Pub/sub is not available in this form (see the README).
 * - `{ addresses, clusterMode?, useTLS?, tls?, credentials?, databaseId?, clientName? }`: the
 *   driver opens (and closes) its own clients.
 *
 * @example
 * ```ts
 * glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }] })
 * glideDriver({ client: await GlideClient.createClient({ addresses: [{ host: 'valkey.internal' }] }) })
 * ```
 */
export type GlideDriverOptions = GlideDriverTuning &
  (
    | {
        /**
         * A client you own: the driver never closes it, and never changes its options.
         * @example
         * ```ts
         * const client = await GlideClient.createClient({ addresses: [{ host: 'valkey.internal', port: 6379 }], requestTimeout: 500 })
         * glideDriver({ client }) // close it yourself: client.close()
         * ```
         */
        readonly client: GlideClient | GlideClusterClient
      }
    | GlideConnectionOptions
  )
