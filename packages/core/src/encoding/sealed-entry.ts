import type { DriverValue } from '../driver/driver.js'
import { decodeBase64 } from './base64.js'
import { storedMetaJson, type EntryMeta } from './envelope.js'
import { associatedData, type Sealer } from './sealer.js'

/**
 * Seals the plaintext of an entry (envelope version 3): a fresh key id and IV join `meta`, and the
 * associated data binds the store key to that metadata exactly as the envelope will store it.
 *
 * @example
 * ```ts
 * const { ciphertext, meta } = await sealEntry(sealer, fullKey, plaintext, { t: tokens, x: expiresAt })
 * encodeEntry('cachette', { format: 'string', payload: encodeBase64(ciphertext) }, meta)
 * ```
 */
export async function sealEntry(sealer: Sealer, storeKey: string, plaintext: Uint8Array, meta: EntryMeta | undefined): Promise<{ readonly ciphertext: Uint8Array; readonly meta: EntryMeta }> {
  let sealedMeta: EntryMeta = {}
  const { ciphertext } = await sealer.seal(plaintext, (k, i) => {
    sealedMeta = { ...meta, k, i }
    return associatedData(storeKey, JSON.stringify(sealedMeta))
  })
  return { ciphertext, meta: sealedMeta }
}

/**
 * Opens a stored version 3 entry: `raw` is the whole stored value (its metadata, as stored, is
 * the associated data), `meta` its parsed metadata, `packed` its payload (base64 text or bytes).
 *
 * @throws OpenError `unknown-key` or `failed` (see Sealer.open).
 * @example
 * ```ts
 * const plaintext = await openEntry(sealer, fullKey, raw, envelope.meta, envelope.payload)
 * ```
 */
export function openEntry(sealer: Sealer, storeKey: string, raw: DriverValue, meta: EntryMeta, packed: DriverValue): Promise<Uint8Array> {
  return sealer.open(associatedData(storeKey, storedMetaJson(raw)), meta.k as string, meta.i as string, typeof packed === 'string' ? decodeBase64(packed) : packed)
}
