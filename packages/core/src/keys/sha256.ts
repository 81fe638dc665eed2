/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) in plain TypeScript, synchronous.
 *
 * Why not `node:crypto`: core must also run on edge runtimes (Vercel Edge, Cloudflare Workers),
 * where `node:crypto` does not exist, and WebCrypto's `subtle.digest` is asynchronous, while
 * building a key (`patientKey({ code })`) has to stay synchronous. Key names are short, so a
 * straightforward implementation is fast enough (about a microsecond per key).
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

const INITIAL_STATE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
const BLOCK_BYTES = 64
const encoder = new TextEncoder()

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data
}

/** Runs the compression function over every 64-byte block of `blocks` (already padded). */
function compress(state: Uint32Array, blocks: Uint8Array, w: Uint32Array): void {
  for (let offset = 0; offset < blocks.length; offset += BLOCK_BYTES) {
    for (let t = 0; t < 16; t++) {
      const i = offset + t * 4
      w[t] = ((blocks[i] as number) << 24) | ((blocks[i + 1] as number) << 16) | ((blocks[i + 2] as number) << 8) | (blocks[i + 3] as number)
    }
    for (let t = 16; t < 64; t++) {
      const w15 = w[t - 15] as number
      const w2 = w[t - 2] as number
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
      w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0
    }
    let a = state[0] as number
    let b = state[1] as number
    let c = state[2] as number
    let d = state[3] as number
    let e = state[4] as number
    let f = state[5] as number
    let g = state[6] as number
    let h = state[7] as number
    for (let t = 0; t < 64; t++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const ch = (e & f) ^ (~e & g)
      const t1 = (h + s1 + ch + (K[t] as number) + (w[t] as number)) | 0
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (s0 + maj) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    state[0] = ((state[0] as number) + a) | 0
    state[1] = ((state[1] as number) + b) | 0
    state[2] = ((state[2] as number) + c) | 0
    state[3] = ((state[3] as number) + d) | 0
    state[4] = ((state[4] as number) + e) | 0
    state[5] = ((state[5] as number) + f) | 0
    state[6] = ((state[6] as number) + g) | 0
    state[7] = ((state[7] as number) + h) | 0
  }
}

/**
 * The SHA-256 digest (32 bytes) of a string (hashed as UTF-8) or of bytes.
 *
 * @example
 * ```ts
 * toHex(sha256('abc')) // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export function sha256(data: string | Uint8Array): Uint8Array {
  const message = toBytes(data)
  // Padding: 0x80, zeros, then the bit length as a 64-bit big-endian integer.
  const paddedLength = Math.ceil((message.length + 9) / BLOCK_BYTES) * BLOCK_BYTES
  const blocks = new Uint8Array(paddedLength)
  blocks.set(message)
  blocks[message.length] = 0x80
  const bitLength = message.length * 8
  const view = new DataView(blocks.buffer)
  view.setUint32(paddedLength - 8, Math.floor(bitLength / 0x1_0000_0000))
  view.setUint32(paddedLength - 4, bitLength >>> 0)

  const state = new Uint32Array(INITIAL_STATE)
  compress(state, blocks, new Uint32Array(64))
  const digest = new Uint8Array(32)
  const out = new DataView(digest.buffer)
  for (let i = 0; i < 8; i++) out.setUint32(i * 4, state[i] as number)
  return digest
}

/**
 * HMAC-SHA-256 (RFC 2104) of `message` under `key`; strings are taken as UTF-8. 32 bytes.
 *
 * @example
 * ```ts
 * const tag = hmacSha256('a secret of 32 bytes or more......', 'CI-20250108-00001')
 * encodeBase64Url(tag).slice(0, 22)
 * ```
 */
export function hmacSha256(key: string | Uint8Array, message: string | Uint8Array): Uint8Array {
  let keyBytes = toBytes(key)
  if (keyBytes.length > BLOCK_BYTES) keyBytes = sha256(keyBytes)
  const messageBytes = toBytes(message)
  const inner = new Uint8Array(BLOCK_BYTES + messageBytes.length)
  const outer = new Uint8Array(BLOCK_BYTES + 32)
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const k = i < keyBytes.length ? (keyBytes[i] as number) : 0
    inner[i] = k ^ 0x36
    outer[i] = k ^ 0x5c
  }
  inner.set(messageBytes, BLOCK_BYTES)
  outer.set(sha256(inner), BLOCK_BYTES)
  return sha256(outer)
}

/**
 * Lower-case hexadecimal of bytes.
 *
 * @example
 * ```ts
 * toHex(new Uint8Array([0, 255])) // '00ff'
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (let i = 0; i < bytes.length; i++) hex += (bytes[i] as number).toString(16).padStart(2, '0')
  return hex
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * Base64url (RFC 4648 §5) without padding. Its alphabet (`A-Z a-z 0-9 - _`) holds no glob
 * character, separator or brace, so its output is always safe inside a key.
 *
 * @example
 * ```ts
 * encodeBase64Url(new Uint8Array([251, 255])) // '-_8'
 * ```
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out += BASE64URL[n >>> 18]! + BASE64URL[(n >>> 12) & 63]! + BASE64URL[(n >>> 6) & 63]! + BASE64URL[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] as number) << 16
    out += BASE64URL[n >>> 18]! + BASE64URL[(n >>> 12) & 63]!
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out += BASE64URL[n >>> 18]! + BASE64URL[(n >>> 12) & 63]! + BASE64URL[(n >>> 6) & 63]!
  }
  return out
}
