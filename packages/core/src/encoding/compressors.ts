/**
 * The compressors behind `createCache({ compression })`, found at run time: core imports no
 * `node:` module, so that it still runs on edge runtimes.
 *
 * - `node:zlib`, reached through `process.getBuiltinModule` (Node >= 20.16 and 22.3, Bun, Workers
 *   with nodejs_compat): gzip and brotli. Compression runs on libuv's thread pool (zlib's async
 *   functions), so a 1 MB value does not hold the event loop for the 3 to 6 ms it takes;
 *   decompression runs in line (the synchronous functions): on the read path the caller waits
 *   for it anyway, and the thread pool's hop cost more than it saved (a 100 KB bundle: 195 µs in
 *   line, 216 µs through the pool; 1 MB: 1.6 against 3.1 ms).
 * - `CompressionStream` / `DecompressionStream` (the web standard: edge runtimes, browsers, and
 *   Node before 20.16, which has no getBuiltinModule): gzip everywhere; brotli only where the
 *   runtime accepts the format `'brotli'` (Node 20 does not). On Node they are slower than zlib
 *   (stream machinery around the same zlib: on a 101 KB bundle, compression 1.4 to 2.3 times,
 *   decompression 3 to 4 times), so zlib wins wherever both exist.
 *
 * A dynamic `import('node:zlib')` would reach zlib on Node 20.0–20.15 too, but edge bundlers
 * trip on it and core's edge-safety check refuses it; those versions use the streams.
 */

/** A compression format of `createCache({ compression })`. */
export type CompressionAlgorithm = 'gzip' | 'brotli'

/** Where a compressor does its work. */
export type CompressionRuntime = 'node:zlib' | 'CompressionStream'

/** One algorithm, on one runtime. */
export interface Compressor {
  readonly algorithm: CompressionAlgorithm
  readonly runtime: CompressionRuntime
  /**
   * The compressed form of `bytes`.
   *
   * @example
   * ```ts
   * const packed = await compressorFor('gzip')?.compress(new TextEncoder().encode(json))
   * ```
   */
  compress(bytes: Uint8Array): Promise<Uint8Array>
  /**
   * The bytes `packed` holds; throws (or rejects) when the stream is damaged or would give more
   * than `maxBytes` (a stored entry must not be able to exhaust memory).
   *
   * @example
   * ```ts
   * const payload = compressor.decompress(packed, meta.n) // a Promise on the stream runtime
   * ```
   */
  decompress(packed: Uint8Array, maxBytes: number): Uint8Array | Promise<Uint8Array>
}

/** What core uses of node:zlib (a structural type: core imports no `node:` module, types included). */
export interface ZlibModule {
  gzip(input: Uint8Array, callback: (error: Error | null, result: Uint8Array) => void): void
  gunzipSync(input: Uint8Array, options: { maxOutputLength: number }): Uint8Array
  brotliCompress(input: Uint8Array, options: { params: Record<number, number> }, callback: (error: Error | null, result: Uint8Array) => void): void
  brotliDecompressSync(input: Uint8Array, options: { maxOutputLength: number }): Uint8Array
  readonly constants: { readonly BROTLI_PARAM_QUALITY: number; readonly BROTLI_PARAM_SIZE_HINT: number }
}

/** A web-standard CompressionStream or DecompressionStream constructor, as far as core uses it. */
export type TransformStreamConstructor = new (format: string) => {
  readonly writable: { getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> } }
  readonly readable: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } }
}

/** What the runtime offers, looked up on globalThis (tests pass their own). */
export interface CompressionGlobals {
  readonly getBuiltinModule: ((id: string) => unknown) | undefined
  readonly CompressionStream: TransformStreamConstructor | undefined
  readonly DecompressionStream: TransformStreamConstructor | undefined
}

/**
 * Brotli quality 4 (of 0–11): on a 101 KB FHIR bundle 470 µs and 10.2-fold, where zlib's
 * default quality 11 takes tens of milliseconds, and gzip's default level 6 530 µs and 9.6-fold.
 */
const BROTLI_QUALITY = 4

/**
 * gzip on node:zlib, compressing off the event loop and decompressing in line.
 *
 * @example
 * ```ts
 * const gzip = zlibCompressor(zlib, 'gzip')
 * ```
 */
export function zlibCompressor(zlib: ZlibModule, algorithm: CompressionAlgorithm): Compressor {
  if (algorithm === 'gzip') {
    return {
      algorithm,
      runtime: 'node:zlib',
      compress: (bytes) => new Promise((resolve, reject) => zlib.gzip(bytes, (error, result) => (error === null ? resolve(result) : reject(error)))),
      // zlib refuses a maxOutputLength below 1; an empty payload is never compressed anyway.
      decompress: (packed, maxBytes) => zlib.gunzipSync(packed, { maxOutputLength: Math.max(1, maxBytes) }),
    }
  }
  const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_SIZE_HINT } = zlib.constants
  return {
    algorithm,
    runtime: 'node:zlib',
    compress: (bytes) =>
      new Promise((resolve, reject) =>
        zlib.brotliCompress(bytes, { params: { [BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [BROTLI_PARAM_SIZE_HINT]: bytes.byteLength } }, (error, result) =>
          error === null ? resolve(result) : reject(error),
        ),
      ),
    decompress: (packed, maxBytes) => zlib.brotliDecompressSync(packed, { maxOutputLength: Math.max(1, maxBytes) }),
  }
}

/** Everything a transform stream gives for `input`, failing once it passes `maxBytes`. */
async function transform(Stream: TransformStreamConstructor, format: string, input: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const stream = new Stream(format)
  const writer = stream.writable.getWriter()
  // Written without waiting: the readable side must be drained for the writes to complete. Their
  // failures are the readable side's too, reported by read() below.
  writer.write(input).catch(() => undefined)
  writer.close().catch(() => undefined)
  const reader = stream.readable.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (value === undefined) continue
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new RangeError('the decompressed payload is larger than the entry says')
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * An algorithm on the web-standard streams.
 *
 * @example
 * ```ts
 * const gzip = streamCompressor(CompressionStream, DecompressionStream, 'gzip')
 * ```
 */
export function streamCompressor(compressing: TransformStreamConstructor, decompressing: TransformStreamConstructor, algorithm: CompressionAlgorithm): Compressor {
  return {
    algorithm,
    runtime: 'CompressionStream',
    compress: (bytes) => transform(compressing, algorithm, bytes, Number.POSITIVE_INFINITY),
    decompress: (packed, maxBytes) => transform(decompressing, algorithm, packed, maxBytes),
  }
}

/** Whether a stream constructor accepts `format` (constructing one is the only way to ask). */
function accepts(Stream: TransformStreamConstructor, format: string): boolean {
  try {
    new Stream(format)
    return true
  } catch {
    return false
  }
}

function findZlib(getBuiltinModule: ((id: string) => unknown) | undefined): ZlibModule | undefined {
  if (typeof getBuiltinModule !== 'function') return undefined
  try {
    const zlib = getBuiltinModule('node:zlib') as Partial<ZlibModule> | undefined
    return typeof zlib?.gunzipSync === 'function' && typeof zlib.brotliDecompressSync === 'function' ? (zlib as ZlibModule) : undefined
  } catch {
    return undefined
  }
}

/**
 * The best compressor for `algorithm` in a runtime offering `globals`: node:zlib, else the web
 * streams; undefined when neither has it (brotli on Node 20.0–20.15 and most edge runtimes).
 *
 * @example
 * ```ts
 * detectCompressor('brotli', { getBuiltinModule: undefined, CompressionStream, DecompressionStream }) // undefined on Node 20
 * ```
 */
export function detectCompressor(algorithm: CompressionAlgorithm, globals: CompressionGlobals): Compressor | undefined {
  const zlib = findZlib(globals.getBuiltinModule)
  if (zlib !== undefined) return zlibCompressor(zlib, algorithm)
  const { CompressionStream: compressing, DecompressionStream: decompressing } = globals
  if (compressing === undefined || decompressing === undefined) return undefined
  return accepts(compressing, algorithm) && accepts(decompressing, algorithm) ? streamCompressor(compressing, decompressing, algorithm) : undefined
}

/**
 * This runtime's globals, as {@link detectCompressor} takes them.
 *
 * @example
 * ```ts
 * detectCompressor('gzip', runtimeGlobals())
 * ```
 */
export function runtimeGlobals(): CompressionGlobals {
  const scope = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown }
    CompressionStream?: TransformStreamConstructor
    DecompressionStream?: TransformStreamConstructor
  }
  return { getBuiltinModule: scope.process?.getBuiltinModule, CompressionStream: scope.CompressionStream, DecompressionStream: scope.DecompressionStream }
}

/** One compressor per algorithm for the process: every cache, and every read, shares it. */
const found = new Map<CompressionAlgorithm, Compressor | null>()

/**
 * This runtime's compressor for `algorithm`, found once; undefined when it has none.
 *
 * @example
 * ```ts
 * compressorFor('gzip')?.runtime // 'node:zlib' on Node >= 20.16, 'CompressionStream' on an edge runtime
 * ```
 */
export function compressorFor(algorithm: CompressionAlgorithm): Compressor | undefined {
  let compressor = found.get(algorithm)
  if (compressor === undefined) {
    compressor = detectCompressor(algorithm, runtimeGlobals()) ?? null
    found.set(algorithm, compressor)
  }
  return compressor ?? undefined
}
