import { isSealed } from '@cachette/core/kit'
import { hmacSha256, toHex } from '@cachette/core'
import type { StoreContext } from './store-context.js'

export { isSealed }

/**
 * Seals the given values of one record, each bound to the record's store key and its own field
 * label (`kit.seal`): without encryption they come back unchanged. Absent values stay absent.
 *
 * @example
 * ```ts
 * const sealed = await sealValues(context, keys.message(id), { content: message.content })
 * ```
 */
export async function sealValues(context: StoreContext, key: string, values: Readonly<Record<string, string | undefined>>): Promise<Record<string, string>> {
  const names = Object.keys(values).filter((name) => values[name] !== undefined)
  const sealed = await Promise.all(names.map((name) => context.kit.seal(key, name, values[name] as string)))
  const out: Record<string, string> = {}
  names.forEach((name, index) => (out[name] = sealed[index] as string))
  return out
}

/**
 * Opens the values {@link sealValues} sealed for one record. Resolves them opened, or `undefined`
 * when the record must be read as missing: a sealed value that does not open (another key or
 * field, altered, a key this cache lacks; counted and logged once by the kit, however many values
 * the record has), or a record mixing sealed and plain values (this package seals a record whole;
 * reported as corrupted). Plain values alone read as they are (written before encryption).
 *
 * @example
 * ```ts
 * const opened = await openValues(context, keys.user(type, id), { lastName: hash.lastName })
 * ```
 */
export async function openValues(context: StoreContext, key: string, values: Readonly<Record<string, string | undefined>>): Promise<Record<string, string> | undefined> {
  const names = Object.keys(values).filter((name) => values[name] !== undefined)
  const sealed = names.filter((name) => isSealed(values[name] as string))
  const out: Record<string, string> = {}
  for (const name of names) out[name] = values[name] as string
  if (sealed.length === 0) return out
  if (sealed.length !== names.length) {
    context.kit.corrupted('a messaging record mixes sealed and plain values; it was skipped', 'DECODE_FAILED')
    return undefined
  }
  // The first alone: a record no key of this cache opens fails (and is counted, logged) once.
  const [first, ...rest] = sealed as [string, ...string[]]
  const text = await context.kit.open(key, first, out[first] as string)
  if (text === undefined) return undefined
  out[first] = text
  const texts = await Promise.all(rest.map((name) => context.kit.open(key, name, out[name] as string)))
  for (const [index, name] of rest.entries()) {
    const opened = texts[index]
    if (opened === undefined) return undefined
    out[name] = opened
  }
  return out
}

/**
 * The name a search word (or prefix) takes in the index's key names: the folded word itself, or,
 * with a search secret, the hex of the first 16 bytes of HMAC-SHA-256(secret, kind, type, word),
 * so a dump of the store holds no word; `undefined` when search is off (encryption without a
 * secret).
 *
 * @example
 * ```ts
 * indexName(context, 'term', 'doctor', 'martin') // 'martin', or '3f0c…' (32 hex) with a secret
 * ```
 */
export function indexName(context: StoreContext, kind: 'term' | 'prefix', type: string, word: string): string | undefined {
  const { search } = context
  if (search.mode !== 'hmac') return search.mode === 'plain' ? word : undefined
  return toHex(hmacSha256(search.secret, `${kind}\n${type}\n${word}`).subarray(0, 16))
}
