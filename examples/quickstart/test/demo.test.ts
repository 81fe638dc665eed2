import { describe, expect, it } from 'vitest'
import { runDemo } from '../src/demo.js'

describe('quickstart demo', () => {
  it('tells the story the README promises: miss, hit, invalidation, pattern delete, tag invalidation, stats, shared values', async () => {
    const lines = await runDemo()
    expect(lines[0]).toMatch(/^miss: loaded KOUADIO from the database in \d+\.\d{3} ms$/)
    expect(lines[1]).toMatch(/^hit: {2}read KOUADIO from the cache in \d+\.\d{3} ms$/)
    expect(lines[2]).toBe('invalidate: removed 1 entry; still cached: false')
    expect(lines[3]).toBe('deletePattern identity:patient:*: removed 3 entries')
    expect(lines[4]).toBe('invalidateTags tenant:t7: lists still cached: false')
    expect(lines[5]).toMatch(/^stats: hits=1 misses=6 hitRate=0\.14 sets=6 deletes=4 errors=0$/)
    expect(lines[6]).toBe('database calls: 6')
    expect(lines[7]).toBe('shareValues: every hit gets the same frozen list: true')
  })
})
