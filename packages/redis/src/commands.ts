import { RESP_TYPES } from 'redis'
import type { DriverValue } from '@cachette/core'

/**
 * Raw commands and their replies. The driver sends every command with `sendCommand` (the same
 * call in node-redis 5 and 6, for a client and a cluster) and reads the raw reply, which differs
 * by protocol on a client handed in: RESP2 (what the driver opens) answers HGETALL with a flat
 * array and ZRANGE WITHSCORES with `[member, score, ...]`; RESP3 with a map and `[member, score]`
 * pairs. Both are read here.
 */

/** A command argument as node-redis sends it. */
export type Argument = string | Buffer

/** How a call sends one command: `key` routes it on a cluster (ignored on one server). */
export type Exec = (key: string | undefined, args: Argument[], options?: ExecOptions) => Promise<unknown>

/** Per-command choices of {@link Exec}. */
export interface ExecOptions {
  /** May run on a replica (cluster routing only). */
  readonly readonly?: boolean
  /** Blob strings come back as Buffers. */
  readonly bytes?: boolean
}

/** Blob strings as Buffers, for getBytes. */
export const BYTES_TYPE_MAPPING = Object.freeze({ [RESP_TYPES.BLOB_STRING]: Buffer })

/** A value as node-redis sends it: strings as they are, bytes as a Buffer view (no copy). */
export function toRedisValue(value: DriverValue): Argument {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** A plain `Uint8Array` copy of a reply's bytes (node-redis may hand out a slice of a larger buffer). */
export function toBytes(reply: unknown): Uint8Array | null {
  if (reply === null || reply === undefined) return null
  if (Buffer.isBuffer(reply)) return new Uint8Array(reply)
  return new Uint8Array(Buffer.from(String(reply), 'utf8'))
}

/** A string reply (a Buffer decoded as UTF-8), or null. */
export function toText(reply: unknown): string | null {
  if (reply === null || reply === undefined) return null
  return Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply)
}

/** A list of strings (MGET, SMEMBERS, SCAN keys). */
export function toTexts(reply: unknown): (string | null)[] {
  if (reply instanceof Set) return [...reply].map(toText)
  return Array.isArray(reply) ? reply.map(toText) : []
}

/** HGETALL in RESP2 (flat array), RESP3 as a Map, or RESP3 as an object. */
export function toRecord(reply: unknown): Record<string, string> {
  const record: Record<string, string> = Object.create(null) as Record<string, string>
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) record[toText(reply[i]) as string] = toText(reply[i + 1]) as string
  } else if (reply instanceof Map) {
    for (const [field, value] of reply) record[toText(field) as string] = toText(value) as string
  } else if (typeof reply === 'object' && reply !== null) {
    for (const [field, value] of Object.entries(reply)) record[field] = toText(value) as string
  }
  return { ...record }
}

/** ZRANGE ... WITHSCORES as the flat RESP2 form `@cachette/core/redis` parses: `[member, score, ...]`. */
export function toFlatWithScores(reply: unknown): string[] {
  if (!Array.isArray(reply)) return []
  const flat: string[] = []
  for (const item of reply) {
    if (Array.isArray(item)) flat.push(toText(item[0]) as string, formatScore(item[1]))
    else flat.push(toText(item) as string)
  }
  return flat
}

function formatScore(score: unknown): string {
  if (typeof score === 'number') return score === Infinity ? 'inf' : score === -Infinity ? '-inf' : String(score)
  return toText(score) ?? '0'
}

/** A number reply (RESP2 integer, or a numeric string). */
export function toNumber(reply: unknown): number {
  return typeof reply === 'number' ? reply : Number(toText(reply))
}
