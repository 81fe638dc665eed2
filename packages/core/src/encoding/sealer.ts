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

/** What the sealer uses of `node:crypto` where the runtime has it (reached without importing it). */
interface NodeCipher {
  update(data: Uint8Array): Uint8Array
  final(): Uint8Array
  setAAD(data: Uint8Array): unknown
}
interface NodeCryptoLike {
  createCipheriv(algorithm: 'aes-256-gcm', key: Uint8Array, iv: Uint8Array): NodeCipher & { getAuthTag(): Uint8Array }
  createDecipheriv(algorithm: 'aes-256-gcm', key: Uint8Array, iv: Uint8Array): NodeCipher & { setAuthTag(tag: Uint8Array): unknown }
}

/**
 * `node:crypto` through `process.getBuiltinModule` (Node >= 20.16 and 22.3, Bun, Workers with
 * nodejs_compat), or undefined. It seals in line: WebCrypto's `subtle` hands each operation to
 * libuv's thread pool, a hop that costs more than AES-GCM on a cached value (about 100 µs against
 * a few). The output is the same bytes either way.
 */
function nodeCrypto(): NodeCryptoLike | undefined {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule
  const found = typeof getBuiltinModule === 'function' ? (getBuiltinModule('node:crypto') as Partial<NodeCryptoLike> | undefined) : undefined
  return typeof found?.createCipheriv === 'function' && typeof found.createDecipheriv === 'function' ? (found as NodeCryptoLike) : undefined
}

const TAG_BYTES = 16

function concat(a: Uint8Array, b: Uint8Array, c?: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length + (c?.length ?? 0))
  out.set(a)
  out.set(b, a.length)
  if (c !== undefined) out.set(c, a.length + b.length)
  return out
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
 * AES-256-GCM sealing of entries: `node:crypto` where the runtime offers it through
 * `process.getBuiltinModule`, else WebCrypto (core imports no `node:` module: edge-safe). A random 96-bit
 * IV per seal, the key id next to the ciphertext, and as associated data what the caller binds
 * (see {@link associatedData}). Old keys still open what they sealed; only the current key seals.
 * Keys are imported once, not extractable.
 */
export class Sealer {
  private readonly imported = new Map<string, Promise<unknown>>()
  private readonly node = nodeCrypto()

  constructor(
    private readonly keys: ReadonlyMap<string, Uint8Array>,
    /** The id of the key new entries are sealed with. */
    readonly current: string,
    private readonly crypto: CryptoLike & { readonly subtle: SubtleLike },
  ) {}

  /**
   * Seals `plaintext` under the current key with a fresh IV; `associated` gives the associated
   * data once the key id and the IV are known (they are part of the metadata it binds).
   */
  async seal(plaintext: Uint8Array, associated: (k: string, i: string) => string): Promise<{ readonly k: string; readonly i: string; readonly ciphertext: Uint8Array }> {
    const iv = this.crypto.getRandomValues(new Uint8Array(IV_BYTES))
    const k = this.current
    const i = encodeBase64Url(iv)
    const node = this.node
    if (node !== undefined) {
      const cipher = node.createCipheriv('aes-256-gcm', this.keys.get(k) as Uint8Array, iv)
      cipher.setAAD(textEncoder.encode(associated(k, i)))
      return { k, i, ciphertext: concat(cipher.update(plaintext), cipher.final(), cipher.getAuthTag()) }
    }
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
    const secret = this.keys.get(k)
    if (secret === undefined) throw new OpenError('unknown-key')
    const node = this.node
    if (node !== undefined) {
      try {
        if (ciphertext.length < TAG_BYTES) throw new OpenError('failed')
        const decipher = node.createDecipheriv('aes-256-gcm', secret, ivBytes(iv))
        decipher.setAAD(textEncoder.encode(associated))
        decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES))
        return concat(decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES)), decipher.final())
      } catch {
        throw new OpenError('failed')
      }
    }
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
