import * as z from 'zod'
import { compressorFor, type CompressionAlgorithm, type Compressor } from '../encoding/compressors.js'
import type { ResolvedCompression } from '../encoding/payload-compression.js'
import type { WireFormat } from '../encoding/wire-format.js'

/** The object form of `createCache({ compression })`. */
export interface CompressionOptions {
  /**
   * `'gzip'` runs everywhere: node:zlib on Node >= 20.16, `CompressionStream` on edge runtimes
   * and older Node 20. `'brotli'` (quality 4) stores a FHIR bundle 6–9 % smaller and compresses
   * a 1 MB one faster than gzip (level 6), but needs node:zlib (Node >= 20.16 or 22.3) or a runtime whose
   * `CompressionStream` takes `'brotli'`: elsewhere createCache refuses it, and a reader without
   * it takes brotli entries for corrupted ones. Refused with `wire: 'plain'` (a brotli stream
   * has no magic bytes to be recognized by).
   *
   * @default 'gzip'
   * @example
   * ```ts
   * createCache({ driver, compression: { algorithm: 'brotli' } }) // every reader runs on Node >= 20.16
   * ```
   */
  readonly algorithm?: CompressionAlgorithm
  /**
   * Payloads of at least this many bytes (the codec's output; UTF-8 bytes for a text codec) are
   * compressed. Every decompression has a fixed cost (about 10 µs on Node for zlib's state) that
   * small values do not repay: the seed's 1.1 KB patient record shrinks 14 % (1,098 to 947 bytes
   * stored, in base64) for a memory hit 3.4 times slower, where a 5.6 KB bundle shrinks 3-fold.
   *
   * @default 4096
   * @example
   * ```ts
   * createCache({ driver, compression: { threshold: 64 * 1024 } }) // only exports and bundles
   * ```
   */
  readonly threshold?: number
}

/** The zod schema of `createCache({ compression })`. */
export const compressionSchema = z.union([
  z.boolean(),
  z.strictObject({
    algorithm: z.enum(['gzip', 'brotli']).optional(),
    threshold: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
])

/** 4 KB: a patient record (1–2 KB) stays as it is; lists, bundles and exports are compressed. */
const DEFAULT_THRESHOLD_BYTES = 4096

/**
 * The (already schema-checked) option as the cache uses it, or undefined when off. A problem
 * (brotli in plain mode, an algorithm this runtime lacks) is added to `problems`.
 *
 * @example
 * ```ts
 * resolveCompression({ algorithm: 'gzip' }, 'cachette', problems) // { algorithm: 'gzip', thresholdBytes: 4096, compressor }
 * ```
 */
export function resolveCompression(
  option: boolean | CompressionOptions | undefined,
  wire: WireFormat,
  problems: string[],
  find: (algorithm: CompressionAlgorithm) => Compressor | undefined = compressorFor,
): ResolvedCompression | undefined {
  // Off unless asked, in both layouts: readers from before compression, and foreign readers of
  // plain entries, would take compressed values for corrupted ones.
  if (option === undefined || option === false) return undefined
  const algorithm = option === true ? 'gzip' : (option.algorithm ?? 'gzip')
  const thresholdBytes = option === true ? DEFAULT_THRESHOLD_BYTES : (option.threshold ?? DEFAULT_THRESHOLD_BYTES)
  if (wire === 'plain' && algorithm !== 'gzip') {
    problems.push(`compression.algorithm: '${algorithm}' is refused with wire: 'plain' (a plain value is recognized as compressed by gzip's magic bytes, and a ${algorithm} stream has none): use 'gzip'`)
    return undefined
  }
  const compressor = find(algorithm)
  if (compressor === undefined) {
    problems.push(
      algorithm === 'brotli'
        ? "compression.algorithm: 'brotli' is not available in this runtime (it needs node:zlib through process.getBuiltinModule, Node >= 20.16 or 22.3, or a CompressionStream that takes 'brotli'): use 'gzip'"
        : "compression.algorithm: 'gzip' is not available in this runtime (neither node:zlib nor CompressionStream)",
    )
    return undefined
  }
  return { algorithm, thresholdBytes, compressor }
}
