import { InvalidOptionsError } from '@cachette/core'
import type { GlideClient, GlideClusterClient } from '@valkey/valkey-glide'
import * as z from 'zod'
import { DRIVER_NAME } from './driver-errors.js'
import type { GlideConnectionOptions, GlideDriverOptions } from './options.js'

/**
 * Validation of `glideDriver()` options, once, where they enter: the form is picked by its key
 * (`client`, else `addresses`), checked by a strict zod schema (a typo such as `deadLine` is
 * reported, not ignored), and the defaults applied.
 */

/** Tuning after defaults. */
export interface ResolvedTuning {
  readonly deadlineMs: number
  readonly connectTimeoutMs: number
  readonly maxPendingCalls: number
  readonly scanCount: number
  readonly deleteBatchSize: number
  readonly pubsubCheckIntervalMs: number
}

/** The connection target after validation. */
export type ResolvedTarget =
  | { readonly kind: 'client'; readonly client: GlideClient | GlideClusterClient }
  | { readonly kind: 'connect'; readonly connection: GlideConnectionOptions }

const positiveMs = z.number().int().min(1).max(3_600_000)
const tuningShape = {
  deadlineMs: positiveMs.optional(),
  connectTimeoutMs: positiveMs.optional(),
  maxPendingCalls: z.number().int().min(1).max(1_000_000).optional(),
  scanCount: z.number().int().min(1).max(100_000).optional(),
  deleteBatchSize: z.number().int().min(1).max(100_000).optional(),
  pubsubCheckIntervalMs: z.number().int().min(10).max(60_000).optional(),
}

const clientSchema = z.strictObject({
  ...tuningShape,
  client: z.custom<GlideClient | GlideClusterClient>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { customCommand?: unknown }).customCommand === 'function' &&
      typeof (value as { exec?: unknown }).exec === 'function',
    'expected a GlideClient or GlideClusterClient instance',
  ),
})

const connectSchema = z.strictObject({
  ...tuningShape,
  addresses: z.array(z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535).optional() })).min(1),
  clusterMode: z.boolean().optional(),
  useTLS: z.boolean().optional(),
  tls: z
    .strictObject({
      rootCertificates: z.union([z.string().min(1), z.instanceof(Uint8Array)]).optional(),
      insecure: z.boolean().optional(),
    })
    .optional(),
  credentials: z.strictObject({ username: z.string().min(1).optional(), password: z.string() }).optional(),
  databaseId: z.number().int().min(0).max(1_000_000).optional(),
  clientName: z.string().min(1).optional(),
})

/** Turns a ZodError into a readable message; names the fields, never echoes their values. */
export function invalidOptions(prefix: string, error: z.ZodError): InvalidOptionsError {
  const details = error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`)
  return new InvalidOptionsError(`[${DRIVER_NAME}] ${prefix}: ${details.join('; ')}`, { cause: error })
}

/** Validates `glideDriver()` options once and applies the defaults. */
export function resolveOptions(options: GlideDriverOptions): { tuning: ResolvedTuning; target: ResolvedTarget } {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError(`[${DRIVER_NAME}] invalid options: expected an object`)
  const given = options as unknown as Record<string, unknown>
  if (given['client'] !== undefined && given['addresses'] !== undefined) {
    throw new InvalidOptionsError(`[${DRIVER_NAME}] invalid options: give either client or addresses, not both`)
  }
  const schema = given['client'] !== undefined ? clientSchema : connectSchema
  const result = schema.safeParse(options)
  if (!result.success) throw invalidOptions('invalid options', result.error)
  const parsed = result.data as z.infer<typeof connectSchema> & Partial<z.infer<typeof clientSchema>>
  const tuning: ResolvedTuning = {
    deadlineMs: parsed.deadlineMs ?? 500,
    connectTimeoutMs: parsed.connectTimeoutMs ?? 2000,
    maxPendingCalls: parsed.maxPendingCalls ?? 1000,
    scanCount: parsed.scanCount ?? 250,
    deleteBatchSize: parsed.deleteBatchSize ?? 500,
    pubsubCheckIntervalMs: parsed.pubsubCheckIntervalMs ?? 100,
  }
  if (schema === clientSchema) return { tuning, target: { kind: 'client', client: parsed.client as GlideClient | GlideClusterClient } }
  if (parsed.tls !== undefined && parsed.useTLS !== true) {
    throw new InvalidOptionsError(`[${DRIVER_NAME}] invalid options: tls needs useTLS: true`)
  }
  return { tuning, target: { kind: 'connect', connection: parsed as GlideConnectionOptions } }
}
