import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/** The docs show the Map driver that map-driver-conformance.test.ts runs: the same text, byte for byte. */

const MARKER = '<!-- the same code as packages/testing/test/fixtures/map-driver.ts (map-driver-docs.test.ts checks it) -->'

describe('docs/drivers.md', () => {
  it('shows the tested Map driver exactly', () => {
    const docs = readFileSync(new URL('../../../docs/drivers.md', import.meta.url), 'utf8')
    const file = readFileSync(new URL('./fixtures/map-driver.ts', import.meta.url), 'utf8')
    const at = docs.indexOf(MARKER)
    expect(at, 'the marker before the code block').toBeGreaterThan(-1)
    const block = /^```ts\n([\s\S]*?)^```$/m.exec(docs.slice(at + MARKER.length))
    expect(block, 'a ```ts block after the marker').not.toBeNull()
    expect(block?.[1]).toBe(file)
  })
})
