/**
 * Measures an edge bundle: raw and gzip bytes, and the bytes each package contributes (from
 * esbuild's metafile: minified bytes in the output, before gzip).
 */
import { gzipSync } from 'node:zlib'
import { packageOfInput, type EdgeBundle } from './edge-bundle.js'

/** The packages the table reports; anything else (uncrypto, the entry itself) is `other`. */
export const SIZE_GROUPS = ['@cachette/core', '@cachette/upstash', '@upstash/redis', 'zod', '@opentelemetry/api', 'other'] as const

export type SizeGroup = (typeof SIZE_GROUPS)[number]

/** One bundle's size. */
export interface BundleSize {
  readonly rawBytes: number
  readonly gzipBytes: number
  readonly bytesByGroup: Readonly<Record<SizeGroup, number>>
}

export function measureBundle(bundle: EdgeBundle): BundleSize {
  const bytesByGroup = Object.fromEntries(SIZE_GROUPS.map((group) => [group, 0])) as Record<SizeGroup, number>
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOfInput(input)
      const group = (SIZE_GROUPS as readonly string[]).includes(name) ? (name as SizeGroup) : 'other'
      bytesByGroup[group] += bytesInOutput
    }
  }
  return { rawBytes: Buffer.byteLength(bundle.code), gzipBytes: gzipSync(bundle.code).length, bytesByGroup }
}

/** A markdown table of the split, the way docs/edge.md shows it. */
export function formatSizeTable(size: BundleSize): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  const rows = SIZE_GROUPS.map((group) => {
    const bytes = size.bytesByGroup[group]
    return `| ${group} | ${kb(bytes)} | ${((100 * bytes) / size.rawBytes).toFixed(0)} % |`
  })
  return ['| package | minified | share |', '|---|---:|---:|', ...rows, `| **total** | ${kb(size.rawBytes)} (gzip ${kb(size.gzipBytes)}) | |`].join('\n')
}
