import { Decoder, GlideClusterClient, type GlideReturnType, type GlideString } from '@valkey/valkey-glide'
import type { AnyGlideClient } from './create-client.js'

/*
 * Commands are sent with `customCommand` and the argument builders of `@cachette/core/redis`, so
 * both Redis drivers spell them the same way; GLIDE routes each one by its key on a cluster.
 * Values are read with the Bytes decoder: GLIDE's String decoder rejects a value that is not valid
 * UTF-8, where the contract wants it decoded (with U+FFFD) like any other.
 */

/** Sends one command; `bytes` reads the reply as Buffers. */
export function command<T = GlideReturnType>(client: AnyGlideClient, args: GlideString[], bytes = false): Promise<T> {
  const options = bytes ? { decoder: Decoder.Bytes } : undefined
  return (client as { customCommand(args: GlideString[], options?: { decoder: Decoder }): Promise<unknown> }).customCommand(args, options) as Promise<T>
}

/** Whether `client` is a cluster client. */
export function isCluster(client: AnyGlideClient): client is GlideClusterClient {
  return client instanceof GlideClusterClient || (client as { constructor?: { name?: string } }).constructor?.name === 'GlideClusterClient'
}

/** A stored value as text: bytes decoded as UTF-8 (invalid sequences become U+FFFD). */
export function toText(value: GlideString | null | undefined): string | null {
  if (value === null || value === undefined) return null
  return typeof value === 'string' ? value : (value as Buffer).toString('utf8')
}

/** A value as GLIDE sends it: strings as they are, bytes as a Buffer view (no copy). */
export function toGlideValue(value: string | Uint8Array): GlideString {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** Splits `items` into slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

/** The per-node replies of a command routed to several nodes, whichever shape GLIDE gives them. */
export function nodeReplies(reply: unknown): GlideString[] {
  if (typeof reply === 'string' || Buffer.isBuffer(reply)) return [reply]
  if (Array.isArray(reply)) return reply.map((entry) => (entry as { value: GlideString }).value)
  return Object.values(reply as Record<string, GlideString>)
}
