import type { ConnectionOptions } from 'node:tls'
import { InvalidOptionsError } from '@cachette/core'
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis'
import * as z from 'zod'
import type { IoredisDriverOptions, IoredisNodeAddress } from './options.js'
import { splitRedisUrl } from '@cachette/core/redis'

/**
 * Validation of `ioredisDriver()` options, once, where they enter: the form is picked by its key
 * (client, url, sentinels, cluster, else host/port), checked by a strict zod schema (so a typo
 * like `deadLine` is reported, not ignored), and the defaults applied.
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
  readonly coalesceWrites: boolean
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
  coalesceWrites: z.boolean().optional(),
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
    coalesceWrites: parsed.coalesceWrites ?? true,
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

const urlOptionNames = { url: 'url', username: 'username', password: 'password', db: 'redisOptions.db' }

function withoutUndefined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>
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
    const given = { ...authOptions(parsed), ...extra }
    const split = splitRedisUrl(parsed.url ?? '', {
      username: given.username,
      password: given.password,
      db: given.db,
      names: urlOptionNames,
      context: 'invalid options',
      packageName: '@cachette/ioredis',
    })
    const redisOptions: RedisOptions = { ...given, ...withoutUndefined({ username: split.username, password: split.password, db: split.db }) }
    if (split.url.startsWith('rediss://') && redisOptions.tls === undefined) redisOptions.tls = {}
    return { tuning, target: { kind: 'standalone', url: split.url, redisOptions } }
  }
  if (schema === sentinelSchema) {
    const auth = authOptions(parsed)
    const redisOptions: RedisOptions = {
      ...auth,
      // ioredis applies `tls` to the master's connection in Sentinel mode only with this flag:
      // without it, `tls: true` would silently connect in clear text.
      ...(auth.tls === undefined ? {} : { enableTLSForSentinelMode: true }),
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
