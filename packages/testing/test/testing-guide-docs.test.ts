import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * docs/testing.md shows whole test files, each after a marker naming it: the same text, byte for
 * byte. The vitest files run in this project, the example's in `examples`, the Jest and node:test
 * files in the consumer check (.config/consumer-check), from the packed tarballs.
 */

const root = new URL('../../../', import.meta.url)
const docs = readFileSync(new URL('docs/testing.md', root), 'utf8')
const MARKER = /^<!-- (\S+) \(testing-guide-docs\.test\.ts checks it\) -->\n```(?:ts|js)\n([\s\S]*?)^```$/gm
const shown = [...docs.matchAll(MARKER)].map((match) => ({ path: match[1] as string, code: match[2] as string }))

const guideFiles = readdirSync(new URL('packages/testing/test/guide/', root)).map((name) => `packages/testing/test/guide/${name}`)
const expected = [
  ...guideFiles,
  'examples/patient-api/test/cache-stores.test.ts',
  '.config/consumer-check/fixtures/guide.jest.test.cjs',
  '.config/consumer-check/fixtures/guide.node-test.test.mjs',
].sort()

describe('docs/testing.md', () => {
  it('shows every guide file once, and nothing else under a marker', () => {
    expect(shown.map((block) => block.path).sort()).toEqual(expected)
    expect(docs.match(/testing-guide-docs\.test\.ts checks it/g)?.length).toBe(expected.length) // no marker the pattern missed
  })

  it.each(expected)('shows %s exactly', (path) => {
    const block = shown.find((candidate) => candidate.path === path)
    expect(block?.code).toBe(readFileSync(new URL(path, root), 'utf8'))
  })
})
