import type { ConnectionOptions } from 'node:tls'
import { InvalidOptionsError } from '@cachette/core'
import type { RedisClientOptions, RedisClusterOptions } from 'redis'
import * as z from 'zod'
import { DRIVER_NAME } from './driver-errors.js'
import type { RedisDriverClient, RedisDriverClusterClient, RedisNodeAddress } from './options.js'
import { splitRedisUrl } from '@cachette/core/redis'

/**
 * Validation of `redisDriver()` options, once, where they enter: the form is picked by its key
 * (client, url, sentinel, cluster, else host/port), checked by a strict zod schema (a typo like
 * `deadLine` is reported, not ignored), and the defaults applied.
 */

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

/** TLS and credentials after validation. */
export interface ResolvedAuth {
  readonly username: string | undefined
  readonly password: string | undefined
  /** undefined: plain TCP. */
  readonly tls: ConnectionOptions | undefined
}

/** The connection target after validation. */
export type ResolvedTarget =
  | { readonly kind: 'client'; readonly client: RedisDriverClient }
  | { readonly kind: 'clusterClient'; readonly client: RedisDriverClusterClient }
  | { readonly kind: 'standalone'; readonly host: string; readonly port: number; readonly db: number | undefined; readonly auth: ResolvedAuth; readonly clientOptions: RedisClientOptions }
  | {
      readonly kind: 'sentinel'
      readonly sentinels: readonly RedisNodeAddress[]
      readonly name: string
      readonly sentinelAuth: ResolvedAuth
      readonly db: number | undefined
      readonly auth: ResolvedAuth
      readonly clientOptions: RedisClientOptions
    }
  | { readonly kind: 'cluster'; readonly nodes: readonly RedisNodeAddress[]; readonly auth: ResolvedAuth; readonly clusterOptions: Partial<RedisClusterOptions> }

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
const tlsShape = z.union([z.boolean(), z.record(z.string(), z.unknown())])
const authShape = {
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  tls: tlsShape.optional(),
}
const objectOf = (what: string) => z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null, `expected ${what}`)
const address = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) })
const dbIndex = z.number().int().min(0).max(1_000_000)

/** Duck-typed, so a second copy of node-redis (5 or 6) passes too. */
const isClientLike = (value: unknown) =>
  typeof value === 'object' && value !== null && typeof (value as { sendCommand?: unknown }).sendCommand === 'function' && typeof (value as { multi?: unknown }).multi === 'function'
/** A `createCluster()` client has nodeClient(); a `createClient()` one does not. */
export const isClusterClient = (value: unknown): value is RedisDriverClusterClient => isClientLike(value) && typeof (value as { nodeClient?: unknown }).nodeClient === 'function'

const clientSchema = z.strictObject({
  ...tuningShape,
  client: z.custom<RedisDriverClient | RedisDriverClusterClient>(
    (value) => isClientLike(value) && typeof (value as { acquire?: unknown }).acquire !== 'function',
    'expected a node-redis client (createClient() or createCluster(); for Sentinel pass { sentinel })',
  ),
})
const urlSchema = z.strictObject({
  ...tuningShape,
  ...authShape,
  url: z.string().regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL'),
  db: dbIndex.optional(),
  clientOptions: objectOf('node-redis client options').optional(),
})
const hostSchema = z.strictObject({
  ...tuningShape,
  ...authShape,
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  db: dbIndex.optional(),
  clientOptions: objectOf('node-redis client options').optional(),
})
const sentinelSchema = z.strictObject({
  ...tuningShape,
  ...authShape,
  sentinel: z.strictObject({
    sentinels: z.array(address).min(1),
    name: z.string().min(1),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    tls: tlsShape.optional(),
  }),
  db: dbIndex.optional(),
  clientOptions: objectOf('node-redis client options').optional(),
})
const clusterSchema = z.strictObject({
  ...tuningShape,
  ...authShape,
  cluster: z.array(address).min(1),
  clusterOptions: objectOf('node-redis cluster options').optional(),
})

/** Turns a ZodError into the readable message every Cachette package uses; never echoes input values. */
export function invalidOptions(prefix: string, error: z.ZodError): InvalidOptionsError {
  const details = error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`)
  return new InvalidOptionsError(`[${DRIVER_NAME}] ${prefix}: ${details.join('; ')}`, { cause: error })
}

function pickSchema(options: Record<string, unknown>) {
  const forms = (['client', 'url', 'sentinel', 'cluster'] as const).filter((key) => options[key] !== undefined)
  if (forms.length > 1) {
    throw new InvalidOptionsError(`[${DRIVER_NAME}] invalid options: give only one of client, url, sentinel, cluster (got ${forms.join(', ')})`)
  }
  switch (forms[0]) {
    case 'client':
      return clientSchema
    case 'url':
      return urlSchema
    case 'sentinel':
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
  if (socketTimeoutMs < deadlineMs) throw new InvalidOptionsError(`[${DRIVER_NAME}] invalid options: socketTimeoutMs must be >= deadlineMs`)
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

function tlsOf(tls: boolean | Record<string, unknown> | undefined): ConnectionOptions | undefined {
  if (tls === true) return {}
  if (typeof tls === 'object') return tls as ConnectionOptions
  return undefined
}

function authOf(parsed: { username?: string | undefined; password?: string | undefined; tls?: boolean | Record<string, unknown> | undefined }): ResolvedAuth {
  return {
    username: parsed.username,
    password: parsed.password === '' ? undefined : parsed.password,
    tls: tlsOf(parsed.tls),
  }
}

/** Validates `redisDriver()` options once and applies the defaults. */
export function resolveOptions(options: object): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError(`[${DRIVER_NAME}] invalid options: expected an object`)
  const schema = pickSchema(options as Record<string, unknown>)
  const result = schema.safeParse(options)
  if (!result.success) throw invalidOptions('invalid options', result.error)
  const parsed = result.data as z.infer<typeof hostSchema> &
    Partial<z.infer<typeof clientSchema> & z.infer<typeof urlSchema> & z.infer<typeof sentinelSchema> & z.infer<typeof clusterSchema>>
  const tuning = resolveTuning(parsed)
  const clientOptions = (parsed.clientOptions ?? {}) as RedisClientOptions
  if (schema === clientSchema) {
    const client = parsed.client as RedisDriverClient | RedisDriverClusterClient
    return { tuning, target: isClusterClient(client) ? { kind: 'clusterClient', client } : { kind: 'client', client: client as RedisDriverClient } }
  }
  if (schema === urlSchema) {
    const split = splitRedisUrl(parsed.url ?? '', {
      username: parsed.username,
      password: parsed.password,
      db: parsed.db,
      names: { url: 'url', username: 'username', password: 'password', db: 'db' },
      context: 'invalid options',
      packageName: '@cachette/redis',
    })
    const url = new URL(split.url)
    const auth = authOf({ username: split.username, password: split.password, tls: parsed.tls ?? (url.protocol === 'rediss:' ? true : undefined) })
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost'
    return { tuning, target: { kind: 'standalone', host, port: url.port === '' ? 6379 : Number(url.port), db: split.db, auth, clientOptions } }
  }
  if (schema === sentinelSchema) {
    const sentinel = parsed.sentinel as z.infer<typeof sentinelSchema>['sentinel']
    return {
      tuning,
      target: {
        kind: 'sentinel',
        sentinels: sentinel.sentinels.map((node) => ({ host: node.host, port: node.port })),
        name: sentinel.name,
        sentinelAuth: authOf(sentinel),
        db: parsed.db,
        auth: authOf(parsed),
        clientOptions,
      },
    }
  }
  if (schema === clusterSchema) {
    return {
      tuning,
      target: {
        kind: 'cluster',
        nodes: (parsed.cluster ?? []).map((node) => ({ host: node.host, port: node.port })),
        auth: authOf(parsed),
        clusterOptions: (parsed.clusterOptions ?? {}) as Partial<RedisClusterOptions>,
      },
    }
  }
  return { tuning, target: { kind: 'standalone', host: parsed.host ?? 'localhost', port: parsed.port ?? 6379, db: parsed.db, auth: authOf(parsed), clientOptions } }
}
