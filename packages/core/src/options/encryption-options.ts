import * as z from 'zod'
import { decodeBase64 } from '../encoding/base64.js'
import { Sealer, webCrypto } from '../encoding/sealer.js'

/** The `encryption` option of `createCache`: AES-256-GCM keys by id, and the one that seals. */
export interface EncryptionOptions {
  /**
   * The keys, by id (1 to 32 of `A-Z a-z 0-9 _ -`): 32 bytes each, as a `Uint8Array` or base64
   * text. Every key listed opens what it sealed; keep the old ones until `reencrypt()` says none
   * remain under them. Keep them apart from the store (a secret manager, the environment): data
   * encrypted with a key kept with it is not protected.
   *
   * @default none (required)
   * @example
   * ```ts
   * createCache({ driver, encryption: { keys: { '2026-12': process.env.CACHE_KEY_2026_12! }, current: '2026-12' } })
   * ```
   */
  readonly keys: Readonly<Record<string, string | Uint8Array>>
  /**
   * The id of the key new entries are sealed with; it must be one of `keys`. Rotating is adding a
   * key and making it current: entries under the old one still read, and are rewritten under the
   * new one when read, or by `cache.reencrypt()`.
   *
   * @default none (required)
   * @example
   * ```ts
   * createCache({ driver, encryption: { keys: { a: oldKey, b: newKey }, current: 'b' } })
   * ```
   */
  readonly current: string
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/
const KEY_BYTES = 32

/** The zod schema of `createCache({ encryption })` (the key material is checked by {@link resolveEncryption}). */
export const encryptionSchema = z.strictObject({
  keys: z.record(z.string().regex(KEY_ID, 'key ids are 1 to 32 of A-Z a-z 0-9 _ -'), z.union([z.string(), z.instanceof(Uint8Array)])),
  current: z.string(),
})

/** The 32 bytes of one key, or a problem (never quoting the key). */
function keyBytes(id: string, key: string | Uint8Array, where: string, problems: string[]): Uint8Array | undefined {
  let bytes: Uint8Array
  if (typeof key === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(key.trim())) {
      problems.push(`${where}: key '${id}' is not base64`)
      return undefined
    }
    bytes = decodeBase64(key.trim())
  } else bytes = key
  if (bytes.length !== KEY_BYTES) {
    problems.push(`${where}: key '${id}' is ${bytes.length} bytes; AES-256 needs ${KEY_BYTES}`)
    return undefined
  }
  return Uint8Array.from(bytes)
}

/**
 * The `encryption` option, or the environment's `CACHE_ENCRYPTION_KEYS` (`id:base64,id:base64`)
 * and `CACHE_ENCRYPTION_CURRENT` when the option is absent, as a {@link Sealer}; undefined when
 * neither asks for encryption. Problems (a key of the wrong length, a current key not listed, a
 * runtime without WebCrypto, `wire: 'plain'`) go to `problems`, naming key ids, never key bytes.
 *
 * @example
 * ```ts
 * resolveEncryption(options.encryption, process.env, 'cachette', problems) // Sealer | undefined
 * ```
 */
export function resolveEncryption(option: EncryptionOptions | undefined, env: Readonly<Record<string, string | undefined>>, wire: 'cachette' | 'plain', problems: string[]): Sealer | undefined {
  let given = option
  let where = 'encryption'
  if (given === undefined) {
    const listed = env.CACHE_ENCRYPTION_KEYS
    if (listed === undefined || listed.trim() === '') {
      if (env.CACHE_ENCRYPTION_CURRENT !== undefined) problems.push('CACHE_ENCRYPTION_CURRENT is set but CACHE_ENCRYPTION_KEYS is not')
      return undefined
    }
    where = 'CACHE_ENCRYPTION_KEYS'
    const keys: Record<string, string> = {}
    for (const item of listed.split(',')) {
      const colon = item.indexOf(':')
      const id = colon === -1 ? '' : item.slice(0, colon).trim()
      if (!KEY_ID.test(id)) {
        problems.push(`${where}: expected id:base64 pairs separated by commas (ids are 1 to 32 of A-Z a-z 0-9 _ -)`)
        return undefined
      }
      keys[id] = item.slice(colon + 1)
    }
    given = { keys, current: env.CACHE_ENCRYPTION_CURRENT?.trim() ?? '' }
    if (given.current === '') {
      problems.push('CACHE_ENCRYPTION_CURRENT: the id of the key that seals new entries is required with CACHE_ENCRYPTION_KEYS')
      return undefined
    }
  }
  if (wire === 'plain') {
    problems.push("encryption: refused with wire: 'plain' (other services read plain values as they are)")
    return undefined
  }
  const keys = new Map<string, Uint8Array>()
  for (const [id, key] of Object.entries(given.keys)) {
    const bytes = keyBytes(id, key, where, problems)
    if (bytes !== undefined) keys.set(id, bytes)
  }
  if (!Object.hasOwn(given.keys, given.current)) problems.push(`${where === 'encryption' ? 'encryption.current' : 'CACHE_ENCRYPTION_CURRENT'}: '${KEY_ID.test(given.current) ? given.current : '(invalid id)'}' is not one of the keys`)
  const crypto = webCrypto()
  if (crypto === undefined) problems.push('encryption: this runtime has no WebCrypto (globalThis.crypto.subtle)')
  if (problems.length > 0 || crypto === undefined || crypto.subtle === undefined) return undefined
  return new Sealer(keys, given.current, { ...crypto, subtle: crypto.subtle, getRandomValues: (array) => crypto.getRandomValues(array) })
}
