import type { ConnectionOptions } from 'node:tls'
import { InvalidOptionsError } from '@cachette/core'
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis'
import { z } from 'zod'

/**
 * Options of `ioredisDriver()`: one way to reach Redis (a client, a URL, host/port, Sentinel or
 * Cluster) plus the tuning below. Validated once, here, into {@link ResolvedOptions}.
 */

/** Tuning shared by every form of {@link IoredisDriverOptions}. Each default was chosen by measuring real failures (see docs/drivers.md). */
export interface IoredisDriverTuning {
  /**
   * Deadline of every driver call in milliseconds, from the call to its answer, however many
   * round trips it takes (a cluster MGET fans out; a SCAN page is one call). Past it the call
   * rejects with `DeadlineExceededError`, and a call still waiting for a connection then is never
   * sent. ioredis alone waits forever on a frozen server. The default matches `createCache`'s
   * `deadlineMs`, so nothing the driver sends outlives the cache call that asked for it.
   * @default 500
   */
  readonly deadlineMs?: number
  /**
   * ioredis `connectTimeout`: how long one TCP connect may take.
   * @default 2000
   */
  readonly connectTimeoutMs?: number
  /**
   * TCP keep-alive initial delay (ioredis `keepAlive`), so a silently dropped connection (a NAT
   * or load balancer forgetting it) is noticed. 0 turns keep-alive off.
   * @default 10000
   */
  readonly keepAliveMs?: number
  /**
   * ioredis `socketTimeout`: when commands wait and not one byte arrives for this long, the socket
   * is destroyed and reconnected. This is what unblocks a connection to a frozen (SIGSTOP) server;
   * without it replies queue in memory until the server wakes up, and every command written in
   * the meantime runs when it does. Once nothing has arrived for a whole deadline, every call
   * waiting on that socket has failed anyway. Must be >= `deadlineMs`.
   * @default deadlineMs
   */
  readonly socketTimeoutMs?: number
  /**
   * Calls that may wait for a connection attempt in progress (startup, reconnect). Beyond that,
   * and whenever the connection is known down, calls fail at once instead of queueing.
   * @default 1000
   */
  readonly maxPendingCalls?: number
  /**
   * SCAN COUNT hint: keys examined per SCAN round trip.
   * @default 250
   */
  readonly scanCount?: number
  /**
   * Keys per UNLINK command when deleting many keys.
   * @default 500
   */
  readonly deleteBatchSize?: number
  /**
   * Receives the connection errors ioredis reports (refused connection, reset, socket timeout)
   * while it reconnects. The driver listens for them so none is unhandled; it never logs.
   * Messages of these errors carry no keys or values.
   * @default undefined (ignored)
   */
  readonly onError?: (error: Error) => void
}

/** Where TLS is configured: `true` for defaults, or Node's `tls.connect` options. */
export type IoredisTls = boolean | ConnectionOptions

/** A `host`/`port` pair of a Sentinel or Cluster node. */
export interface IoredisNodeAddress {
  readonly host: string
  readonly port: number
}

/** Credentials and TLS for the forms that open connections. */
export interface IoredisConnectionAuth {
  /** ACL user name. @default undefined (the default user) */
  readonly username?: string
  /** Password (AUTH). @default undefined */
  readonly password?: string
  /** TLS; a `rediss://` URL turns it on too. @default false */
  readonly tls?: IoredisTls
}

/**
 * How `ioredisDriver()` reaches Redis, plus {@link IoredisDriverTuning}.
 *
 * - `{ client }`: an ioredis `Redis` or `Cluster` you created and will close yourself.
 * - `{ url }`: `redis://[user:pass@]host:port/db` or `rediss://` for TLS.
 * - `{ host, port, db, password, tls }`.
 * - `{ sentinels, name }`: a Sentinel group and the master name it monitors.
 * - `{ cluster }`: Redis Cluster startup nodes.
 */
export type IoredisDriverOptions = IoredisDriverTuning &
  (
    | {
        /** A client you own: the driver never closes it, and never changes its options. */
        readonly client: Redis | Cluster
      }
    | ({
        /** `redis://` or `rediss://` URL. */
        readonly url: string
        /** Extra ioredis options, applied over the driver's defaults. @default {} */
        readonly redisOptions?: RedisOptions
      } & IoredisConnectionAuth)
    | ({
        /** Host name or IP. @default 'localhost' */
        readonly host?: string
        /** TCP port. @default 6379 */
        readonly port?: number
        /** Database index. @default 0 */
        readonly db?: number
        /** Extra ioredis options, applied over the driver's defaults. @default {} */
        readonly redisOptions?: RedisOptions
      } & IoredisConnectionAuth)
    | ({
        /** Sentinel addresses. */
        readonly sentinels: readonly IoredisNodeAddress[]
        /** The master name the Sentinels monitor. */
        readonly name: string
        /** Database index. @default 0 */
        readonly db?: number
        /** Password of the Sentinels themselves. @default undefined */
        readonly sentinelPassword?: string
        /** Extra ioredis options, applied over the driver's defaults. @default {} */
        readonly redisOptions?: RedisOptions
      } & IoredisConnectionAuth)
    | ({
        /** Cluster startup nodes (any few nodes; the rest is discovered). */
        readonly cluster: readonly IoredisNodeAddress[]
        /** Extra ioredis Cluster options, applied over the driver's defaults. @default {} */
        readonly clusterOptions?: ClusterOptions
      } & IoredisConnectionAuth)
  )

/** Tuning after defaults. */
export interface ResolvedTuning {
  readonly deadlineMs: number
  readonly connectTimeoutMs: number
  readonly keepAliveMs: number
  readonly socketTimeoutMs: number
  readonly maxPendingCalls: number
  readonly scanCount: number
  readonly deleteBatchSize: number
  readonly onError: ((error: Error) => void) | undefined
}

/** The connection target after validation. */
export type ResolvedTarget =
  | { readonly kind: 'client'; readonly client: Redis | Cluster }
  | { readonly kind: 'standalone'; readonly url: string | undefined; readonly redisOptions: RedisOptions }
  | { readonly kind: 'sentinel'; readonly redisOptions: RedisOptions }
  | { readonly kind: 'cluster'; readonly nodes: readonly IoredisNodeAddress[]; readonly clusterOptions: ClusterOptions; readonly redisOptions: RedisOptions }

/** Options after validation and defaults. */
export interface ResolvedOptions {
  readonly tuning: ResolvedTuning
  readonly target: ResolvedTarget
}

const positiveMs = z.number().int().min(1).max(3_600_000)
const tuningShape = {
  deadlineMs: positiveMs.optional(),
  connectTimeoutMs: positiveMs.optional(),
  keepAliveMs: z.number().int().min(0).max(3_600_000).optional(),
  socketTimeoutMs: positiveMs.optional(),
  maxPendingCalls: z.number().int().min(0).max(1_000_000).optional(),
  scanCount: z.number().int().min(1).max(100_000).optional(),
  deleteBatchSize: z.number().int().min(1).max(100_000).optional(),
  onError: z.custom<(error: Error) => void>((value) => typeof value === 'function', 'expected a function').optional(),
}
const authShape = {
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  tls: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
}
const objectOf = (what: string) =>
  z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null, `expected ${what}`)
const address = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) })
const dbIndex = z.number().int().min(0).max(1_000_000)

const clientSchema = z.strictObject({
  ...tuningShape,
  client: z.custom<Redis | Cluster>(
    // Duck-typed, so ioredis-mock (and a second copy of ioredis) pass too.
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { get?: unknown }).get === 'function' &&
      typeof (value as { multi?: unknown }).multi === 'function',
    'expected an ioredis Redis or Cluster instance',
  ),
})
const urlSchema = z.strictObject({
  ...tuningShape,
  ...authShape,
  url: z.string().regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL'),
  redisOptions: objectOf('ioredis options').optional(),
})
const hostSchema = z.strictObject({
  ...tuningShape,
  ...authShape,
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  db: dbIndex.optional(),
  redisOptions: objectOf('ioredis options').optional(),
})
const sentinelSchema = z.strictObject({
  ...tuningShape,
  ...authShape,
  sentinels: z.array(address).min(1),
  name: z.string().min(1),
  db: dbIndex.optional(),
  sentinelPassword: z.string().optional(),
  redisOptions: objectOf('ioredis options').optional(),
})
const clusterSchema = z.strictObject({
  ...tuningShape,
  ...authShape,
  cluster: z.array(address).min(1),
  clusterOptions: objectOf('ioredis Cluster options').optional(),
})

/** Turns a ZodError into the readable message every Cachette package uses; never echoes input values. */
export function invalidOptions(prefix: string, error: z.ZodError): InvalidOptionsError {
  const details = error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`)
  return new InvalidOptionsError(`[@cachette/ioredis] ${prefix}: ${details.join('; ')}`, { cause: error })
}

function pickSchema(options: Record<string, unknown>) {
  const forms = (['client', 'url', 'sentinels', 'cluster'] as const).filter((key) => options[key] !== undefined)
  if (forms.length > 1) {
    throw new InvalidOptionsError(`[@cachette/ioredis] invalid options: give only one of client, url, sentinels, cluster (got ${forms.join(', ')})`)
  }
  switch (forms[0]) {
    case 'client':
      return clientSchema
    case 'url':
      return urlSchema
    case 'sentinels':
      return sentinelSchema
    case 'cluster':
      return clusterSchema
    default:
      return hostSchema
  }
}

function resolveTuning(parsed: z.infer<typeof hostSchema>): ResolvedTuning {
  const deadlineMs = parsed.deadlineMs ?? 500
  const socketTimeoutMs = parsed.socketTimeoutMs ?? deadlineMs
  if (socketTimeoutMs < deadlineMs) {
    throw new InvalidOptionsError('[@cachette/ioredis] invalid options: socketTimeoutMs must be >= deadlineMs')
  }
  return {
    deadlineMs,
    connectTimeoutMs: parsed.connectTimeoutMs ?? 2000,
    keepAliveMs: parsed.keepAliveMs ?? 10_000,
    socketTimeoutMs,
    maxPendingCalls: parsed.maxPendingCalls ?? 1000,
    scanCount: parsed.scanCount ?? 250,
    deleteBatchSize: parsed.deleteBatchSize ?? 500,
    onError: parsed.onError,
  }
}

function authOptions(parsed: { username?: string; password?: string; tls?: boolean | Record<string, unknown> }): RedisOptions {
  const auth: RedisOptions = {}
  if (parsed.username !== undefined) auth.username = parsed.username
  if (parsed.password !== undefined && parsed.password !== '') auth.password = parsed.password
  if (parsed.tls === true) auth.tls = {}
  else if (typeof parsed.tls === 'object') auth.tls = parsed.tls as ConnectionOptions
  return auth
}

/** Validates `ioredisDriver()` options once and applies the defaults. */
export function resolveOptions(options: IoredisDriverOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('[@cachette/ioredis] invalid options: expected an object')
  }
  const schema = pickSchema(options as Record<string, unknown>)
  const result = schema.safeParse(options)
  if (!result.success) throw invalidOptions('invalid options', result.error)
  const parsed = result.data as z.infer<typeof hostSchema> &
    Partial<z.infer<typeof clientSchema> & z.infer<typeof urlSchema> & z.infer<typeof sentinelSchema> & z.infer<typeof clusterSchema>>
  const tuning = resolveTuning(parsed)
  const extra = (parsed.redisOptions ?? {}) as RedisOptions
  if (schema === clientSchema) return { tuning, target: { kind: 'client', client: parsed.client as Redis | Cluster } }
  if (schema === urlSchema) {
    const redisOptions = { ...authOptions(parsed), ...extra }
    if (parsed.url?.startsWith('rediss://') && redisOptions.tls === undefined) redisOptions.tls = {}
    return { tuning, target: { kind: 'standalone', url: parsed.url, redisOptions } }
  }
  if (schema === sentinelSchema) {
    const redisOptions: RedisOptions = {
      ...authOptions(parsed),
      sentinels: (parsed.sentinels ?? []).map((node) => ({ host: node.host, port: node.port })),
      name: parsed.name,
      ...(parsed.db === undefined ? {} : { db: parsed.db }),
      ...(parsed.sentinelPassword === undefined ? {} : { sentinelPassword: parsed.sentinelPassword }),
      ...extra,
    }
    return { tuning, target: { kind: 'sentinel', redisOptions } }
  }
  if (schema === clusterSchema) {
    return {
      tuning,
      target: {
        kind: 'cluster',
        nodes: (parsed.cluster ?? []).map((node) => ({ host: node.host, port: node.port })),
        clusterOptions: (parsed.clusterOptions ?? {}) as ClusterOptions,
        redisOptions: authOptions(parsed),
      },
    }
  }
  const redisOptions: RedisOptions = {
    ...authOptions(parsed),
    host: parsed.host ?? 'localhost',
    port: parsed.port ?? 6379,
    ...(parsed.db === undefined ? {} : { db: parsed.db }),
    ...extra,
  }
  return { tuning, target: { kind: 'standalone', url: undefined, redisOptions } }
}
