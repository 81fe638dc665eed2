import { decodeBase64 } from './base64.js'
import { encodeBase64Url } from '../keys/sha256.js'

/** The WebCrypto the sealer needs (present on Node >= 20, Deno, Bun, edge runtimes and browsers). */
interface SubtleLike {
  importKey(format: 'raw', key: Uint8Array, algorithm: 'AES-GCM', extractable: false, usages: readonly ('encrypt' | 'decrypt')[]): Promise<unknown>
  encrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array }, key: unknown, data: Uint8Array): Promise<ArrayBuffer>
  decrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array }, key: unknown, data: Uint8Array): Promise<ArrayBuffer>
}

interface CryptoLike {
  readonly subtle?: SubtleLike
  getRandomValues(array: Uint8Array): Uint8Array
}

/**
 * The runtime's WebCrypto, or undefined where it has none.
 *
 * @example
 * ```ts
 * if (webCrypto() === undefined) problems.push('encryption: this runtime has no WebCrypto')
 * ```
 */
export function webCrypto(): CryptoLike | undefined {
  const crypto = (globalThis as { crypto?: CryptoLike }).crypto
  return crypto?.subtle === undefined || typeof crypto.getRandomValues !== 'function' ? undefined : crypto
}

/** Why an entry could not be opened; never holds any part of the entry or of a key. */
export class OpenError extends Error {
  constructor(readonly reason: 'unknown-key' | 'failed') {
    super(reason === 'unknown-key' ? 'the entry was sealed with a key this cache does not have' : 'the entry failed authentication')
  }
}

const textEncoder = new TextEncoder()
const IV_BYTES = 12

function ivBytes(iv: string): Uint8Array {
  // base64url (16 characters) to standard base64 for the shared decoder.
  return decodeBase64(iv.replace(/-/g, '+').replace(/_/g, '/'))
}

/**
 * The associated data of an entry: its full store key and its envelope's metadata, exactly as
 * stored. A ciphertext copied or renamed under another key, or an entry whose metadata (tags,
 * freshness, key id, IV) was changed, fails to open.
 *
 * @example
 * ```ts
 * associatedData('identity:patient:42', '{"k":"2026-12","i":"AAAAAAAAAAAAAAAA"}')
 * ```
 */
export function associatedData(storeKey: string, metaJson: string): string {
  return `${storeKey}\u0000${metaJson}`
}

/**
 * AES-256-GCM sealing of entries through WebCrypto (no `node:crypto`: edge-safe). A random 96-bit
 * IV per seal, the key id next to the ciphertext, and as associated data what the caller binds
 * (see {@link associatedData}). Old keys still open what they sealed; only the current key seals.
 * Keys are imported once, not extractable.
 */
export class Sealer {
  private readonly imported = new Map<string, Promise<unknown>>()

  constructor(
    private readonly keys: ReadonlyMap<string, Uint8Array>,
    /** The id of the key new entries are sealed with. */
    readonly current: string,
    private readonly crypto: CryptoLike & { readonly subtle: SubtleLike },
  ) {}

  /** Whether this cache holds key `id`. */
  has(id: string): boolean {
    return this.keys.has(id)
  }

  /**
   * Seals `plaintext` under the current key with a fresh IV; `associated` gives the associated
   * data once the key id and the IV are known (they are part of the metadata it binds).
   */
  async seal(plaintext: Uint8Array, associated: (k: string, i: string) => string): Promise<{ readonly k: string; readonly i: string; readonly ciphertext: Uint8Array }> {
    const iv = this.crypto.getRandomValues(new Uint8Array(IV_BYTES))
    const k = this.current
    const i = encodeBase64Url(iv)
    const key = await this.key(k)
    const sealed = await this.crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: textEncoder.encode(associated(k, i)) }, key, plaintext)
    return { k, i, ciphertext: new Uint8Array(sealed) }
  }

  /**
   * Opens what {@link seal} produced with the same associated data.
   *
   * @throws OpenError `unknown-key` without key `k`, `failed` when authentication fails (another
   * store key, changed metadata, another key under the same id, a changed byte).
   */
  async open(associated: string, k: string, iv: string, ciphertext: Uint8Array): Promise<Uint8Array> {
    if (!this.keys.has(k)) throw new OpenError('unknown-key')
    const key = await this.key(k)
    try {
      return new Uint8Array(await this.crypto.subtle.decrypt({ name: 'AES-GCM', iv: ivBytes(iv), additionalData: textEncoder.encode(associated) }, key, ciphertext))
    } catch {
      throw new OpenError('failed')
    }
  }

  private key(id: string): Promise<unknown> {
    let key = this.imported.get(id)
    if (key === undefined) {
      key = this.crypto.subtle.importKey('raw', this.keys.get(id) as Uint8Array, 'AES-GCM', false, ['encrypt', 'decrypt'])
      this.imported.set(id, key)
    }
    return key
  }
}
