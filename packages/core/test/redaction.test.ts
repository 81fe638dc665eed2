import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineKey, memoryDriver, type Driver } from '../src/index.js'
import { recordingLogger, testCache } from './support/cache.js'
import { hangingDriver, throwingDriver } from './support/drivers.js'

const SECRET_PARAM = 'CI-SECRET-20250108'
const SECRET_VALUE = 'KOUADIO-SECRET-VALUE'
const secrets = [SECRET_PARAM, SECRET_VALUE]

/** A badly behaved driver whose errors quote the arguments it was given. */
function leakyDriver(inner: Driver): Driver {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        const error = new Error(`failed with ${JSON.stringify(args, (_, v) => (v instanceof Uint8Array ? [...v] : v))}`)
        if (property === 'scan') return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) }
        return Promise.reject(error)
      }
    },
  })
}

const patientKey = defineKey('patient:{code}', {
  schema: z.object({ name: z.string() }),
  tags: ({ code }) => [`patient:${String(code)}`],
})

async function capture(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run()
    return []
  } catch (error) {
    const texts = [String(error), (error as Error).message]
    return texts
  }
}

function expectClean(texts: readonly string[], logger: ReturnType<typeof recordingLogger>): void {
  const everything = [...texts, ...logger.lines.map((line) => `${line.message} ${JSON.stringify(line.fields)}`)].join('\n')
  for (const secret of secrets) expect(everything).not.toContain(secret)
}

describe('no error message or log line carries a value or a key parameter', () => {
  it.each([
    ['a throwing driver', (inner: Driver) => throwingDriver(inner)],
    ['a driver whose errors quote keys and values', leakyDriver],
  ])('every operation on %s', async (_, makeDriver) => {
    const { cache, logger } = testCache({ driver: makeDriver(memoryDriver()) })
    const key = patientKey({ code: SECRET_PARAM })
    const texts: string[] = []
    texts.push(...(await capture(() => cache.get(key))))
    texts.push(...(await capture(() => cache.has(key))))
    texts.push(...(await capture(() => cache.set(key, { name: SECRET_VALUE }))))
    texts.push(...(await capture(() => cache.getOrSet(key, () => ({ name: SECRET_VALUE })))))
    texts.push(...(await capture(() => cache.invalidate(key))))
    texts.push(...(await capture(() => cache.deletePattern(patientKey.pattern({ code: SECRET_PARAM })))))
    texts.push(...(await capture(() => cache.invalidateTags([`patient:${SECRET_PARAM}`]))))
    await cache.close()
    expect(texts.length).toBeGreaterThanOrEqual(3)
    expect(logger.lines.length).toBeGreaterThan(0)
    expectClean(texts, logger)
  })

  it('timeouts', async () => {
    const { cache, logger } = testCache({ driver: hangingDriver(memoryDriver()), deadlineMs: 20 })
    const key = patientKey({ code: SECRET_PARAM })
    const texts = [
      ...(await capture(() => cache.getOrSet(key, () => ({ name: SECRET_VALUE })))),
      ...(await capture(() => cache.invalidate(key))),
    ]
    expect(texts.length).toBe(2)
    expectClean(texts, logger)
  })

  it('rejected parameters, tags and values', async () => {
    const { cache, logger } = testCache()
    const texts = [
      ...(await capture(async () => patientKey({ code: `${SECRET_PARAM}*` }))),
      ...(await capture(async () => patientKey.pattern({ code: `${SECRET_PARAM} ` }))),
      ...(await capture(() => cache.set('k', 1, { tags: [`${SECRET_PARAM}*`] }))),
      ...(await capture(() => cache.invalidateTags([`{${SECRET_PARAM}}`]))),
      ...(await capture(() => cache.set('k', { name: SECRET_VALUE, n: 1n }))),
    ]
    expect(texts.length).toBe(10)
    expect(await cache.getOrSet('k2', () => ({ name: SECRET_VALUE, n: 2n }))).toEqual({ name: SECRET_VALUE, n: 2n })
    expectClean(texts, logger)
  })

  it('corrupted entries and schema failures', async () => {
    const driver = memoryDriver()
    const { cache, logger } = testCache({ driver, prefix: 'r' })
    await driver.set(`r:patient:${SECRET_PARAM}`, `@c1\n{"name":42,"secret":"${SECRET_VALUE}"}`)
    await driver.set('r:broken', `@c1\n{"${SECRET_VALUE}`)
    expect(await cache.get(patientKey({ code: SECRET_PARAM }))).toBeUndefined()
    expect(await cache.get('broken')).toBeUndefined()
    expect(logger.lines).toHaveLength(2)
    expectClean([], logger)
  })

  it('HMAC parameters keep the identifier out of the store entirely', async () => {
    const driver = memoryDriver()
    const hashedKey = defineKey('patient:{code}', { params: { code: { hmac: 'a-secret-of-at-least-16-bytes' } } })
    const { cache } = testCache({ driver })
    await cache.set(hashedKey({ code: SECRET_PARAM }), 'v')
    const keys: string[] = []
    for await (const key of driver.scan('*')) keys.push(key)
    expect(keys).toHaveLength(1)
    expect(keys[0]).not.toContain(SECRET_PARAM)
  })
})
