import { describe, expect, it } from 'vitest'
import { DeadlineQueue } from '../src/store-calls/deadline.js'
import { DeadlineExceededError } from '../src/index.js'

const never = () => new Promise<never>(() => undefined)
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms))

describe('DeadlineQueue (one timer for every store call of a cache)', () => {
  it('passes values and errors through', async () => {
    const deadlines = new DeadlineQueue(200)
    expect(await deadlines.run(Promise.resolve(1), 'get')).toBe(1)
    const failure = new Error('x')
    await expect(deadlines.run(Promise.reject(failure), 'get')).rejects.toBe(failure)
  })

  it('rejects calls past their deadline, in order, and leaves the others alone', async () => {
    const deadlines = new DeadlineQueue(40)
    const started = performance.now()
    const first = deadlines.run(never(), 'get')
    const fast = deadlines.run(after(5, 'fast'), 'set')
    await after(20, null)
    const second = deadlines.run(never(), 'delete')
    await expect(first).rejects.toBeInstanceOf(DeadlineExceededError)
    const firstAt = performance.now() - started
    await expect(second).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED', deadlineMs: 40, message: expect.stringContaining('delete') })
    const secondAt = performance.now() - started
    expect(await fast).toBe('fast')
    expect(firstAt).toBeGreaterThanOrEqual(39)
    expect(secondAt).toBeGreaterThanOrEqual(59)
    expect(secondAt).toBeLessThan(1_000)
  })

  it('marks the token of a call expired when its deadline passes, and only then', async () => {
    const deadlines = new DeadlineQueue(20)
    const expired = { expired: false }
    const answered = { expired: false }
    await expect(deadlines.run(never(), 'scan', expired)).rejects.toBeInstanceOf(DeadlineExceededError)
    expect(await deadlines.run(after(2, 'ok'), 'scan', answered)).toBe('ok')
    await after(40, null)
    expect(expired.expired).toBe(true)
    expect(answered.expired).toBe(false)
  })

  it('is exported for drivers, with the token type', async () => {
    const { DeadlineQueue: Exported } = await import('../src/index.js')
    expect(Exported).toBe(DeadlineQueue)
  })

  it('ignores a late answer after the deadline', async () => {
    const deadlines = new DeadlineQueue(10)
    await expect(deadlines.run(after(30, 'late'), 'get')).rejects.toBeInstanceOf(DeadlineExceededError)
    await after(40, null)
    expect(await deadlines.run(Promise.resolve('next'), 'get')).toBe('next')
  })

  it('keeps working across many calls (the queue is compacted)', async () => {
    const deadlines = new DeadlineQueue(1_000)
    for (let i = 0; i < 5_000; i++) expect(await deadlines.run(Promise.resolve(i), 'get')).toBe(i)
    const pending = Array.from({ length: 3_000 }, (_, i) => deadlines.run(after(1, i), 'get'))
    expect((await Promise.all(pending)).length).toBe(3_000)
  })
})
