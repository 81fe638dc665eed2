import { createHash, createHmac } from 'node:crypto'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { canonicalJson, defineKey, InvalidKeyError, isCacheError } from '../src/index.js'

const SECRET = 'a-test-secret-of-at-least-16-bytes'
const hashedKey = defineKey('fmpa:list:{tenantId}:{filters}', { params: { filters: 'hash' } })
const hmacKey = defineKey('fmpa:list:{tenantId}:{filters}', { params: { filters: { hmac: SECRET } } })
const modes = [
  ['hash', hashedKey],
  ['hmac', hmacKey],
] as const

/** The error `build` throws, checked to be an INVALID_KEY naming the parameter. */
function refusal(build: () => unknown): InvalidKeyError {
  let caught: unknown
  try {
    build()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(InvalidKeyError)
  expect(isCacheError(caught) && caught.code).toBe('INVALID_KEY')
  expect((caught as Error).message).toContain("parameter 'filters'")
  return caught as InvalidKeyError
}

/** Builds a value nested `depth` levels deep: the value itself is level 1. */
function nested(depth: number, container: 'object' | 'array'): unknown {
  let value: unknown = 'TRAORE'
  for (let level = 0; level < depth; level++) value = container === 'object' ? { a: value } : [value]
  return value
}

class PrivateQuery {
  readonly #patient: string
  constructor(patient: string) {
    this.#patient = patient
  }
  get patient(): string {
    return this.#patient
  }
}

class PublicQuery {
  constructor(readonly patient: string) {}
}

const symbolKeyed = { [Symbol('patient')]: 'TRAORE' }
const holey: unknown[] = ['x']
holey[2] = 'TRAORE'

describe.each(modes)("'%s' parameters refuse values JSON cannot represent faithfully", (_, key) => {
  it('two URLSearchParams no longer share a key: both are refused, naming the kind and not the value', () => {
    for (const patient of ['TRAORE', 'KOUADIO']) {
      const error = refusal(() => key({ tenantId: 't1', filters: { patient: new URLSearchParams(`patient=${patient}`) } as never }))
      expect(error.message).toContain('a URLSearchParams')
      expect(error.message).not.toContain(patient)
    }
  })

  it.each([
    ['a Map', new Map([['patient', 'TRAORE']])],
    ['a Set', new Set(['TRAORE'])],
    ['a URLSearchParams', new URLSearchParams('patient=TRAORE')],
    ['a WeakMap', new WeakMap([[{}, 'TRAORE']])],
    ['a RegExp', /TRAORE/],
    ['a Uint8Array', new TextEncoder().encode('TRAORE')],
    ['a String', new String('TRAORE')],
    ['an instance of class PrivateQuery', new PrivateQuery('TRAORE')],
    ['an instance of class PublicQuery', new PublicQuery('TRAORE')],
    ['an object with a custom prototype', Object.create({ inherited: 'TRAORE' })],
    ['an invalid Date', new Date('TRAORE')],
    ['a number that is not finite', Number.NaN],
    ['a number that is not finite', Number.POSITIVE_INFINITY],
    ['a function', () => 'TRAORE'],
    ['a symbol', Symbol('TRAORE')],
  ])('refuses %s, at the top and nested', (kind, value) => {
    const top = refusal(() => key({ tenantId: 't1', filters: value as never }))
    expect(top.message).toContain(`is ${kind}`)
    const inner = refusal(() => key({ tenantId: 't1', filters: { page: 1, patient: value } as never }))
    expect(inner.message).toContain(`holds ${kind}`)
    const inArray = refusal(() => key({ tenantId: 't1', filters: [value] as never }))
    expect(inArray.message).toContain(`holds ${kind}`)
    for (const error of [top, inner, inArray]) expect(error.message).not.toContain('TRAORE')
  })

  it('refuses undefined and holes in arrays (JSON writes null) and symbol keys (JSON drops them)', () => {
    expect(refusal(() => key({ tenantId: 't1', filters: ['TRAORE', undefined] as never })).message).toContain('undefined or a hole')
    expect(refusal(() => key({ tenantId: 't1', filters: holey as never })).message).toContain('undefined or a hole')
    expect(refusal(() => key({ tenantId: 't1', filters: symbolKeyed })).message).toContain('symbol keys')
    expect(refusal(() => key({ tenantId: 't1', filters: { patient: 'TRAORE', page: () => 1 } as never })).message).toContain('holds a function')
  })

  it('refuses nesting deeper than 64 levels with an InvalidKeyError, not a stack overflow', () => {
    for (const container of ['object', 'array'] as const) {
      expect(() => key({ tenantId: 't1', filters: nested(64, container) as never })).not.toThrow()
      expect(refusal(() => key({ tenantId: 't1', filters: nested(65, container) as never })).message).toContain('64 levels')
      expect(refusal(() => key({ tenantId: 't1', filters: nested(5_000, container) as never })).message).toContain('64 levels')
    }
  })

  it('refuses cycles', () => {
    const cyclic: Record<string, unknown> = { patient: 'TRAORE' }
    cyclic.self = { back: [cyclic] }
    expect(refusal(() => key({ tenantId: 't1', filters: cyclic })).message).toContain('cycle')
    // The same object twice is not a cycle.
    const shared = { status: 'ACTIVE' }
    expect(() => key({ tenantId: 't1', filters: { a: shared, b: [shared, shared] } })).not.toThrow()
  })

  it("turns an error thrown by the value's own code into an InvalidKeyError, the original only as its cause", () => {
    const thrown = new Error('patient TRAORE is restricted')
    const throwers: unknown[] = [
      {
        page: 1,
        get patient() {
          throw thrown
        },
      },
      {
        toJSON() {
          throw thrown
        },
      },
      new Proxy(
        {},
        {
          ownKeys() {
            throw thrown
          },
        },
      ),
    ]
    for (const value of throwers) {
      for (const filters of [value, { nested: value }, [value]]) {
        const error = refusal(() => key({ tenantId: 't1', filters: filters as never }))
        expect(error.cause).toBe(thrown)
        expect(error.message).not.toContain('TRAORE')
        expect(error.message).not.toContain('restricted')
      }
    }
  })
})

describe.each(modes)("'%s' parameters accept JSON values, with the keys they always had", (_, key) => {
  it('accepts plain objects, null-prototype and other-realm objects, arrays, strings, finite numbers, booleans, null, bigints', () => {
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { status: 'ACTIVE' })
    const otherRealm = runInNewContext('({ status: "ACTIVE" })') as Record<string, unknown>
    expect(Object.getPrototypeOf(otherRealm)).not.toBe(Object.prototype)
    expect(key({ tenantId: 't1', filters: nullProto }).key).toBe(key({ tenantId: 't1', filters: { status: 'ACTIVE' } }).key)
    expect(key({ tenantId: 't1', filters: otherRealm }).key).toBe(key({ tenantId: 't1', filters: { status: 'ACTIVE' } }).key)
    for (const filters of [{ a: [1, 'x', true, null, { b: -0.5 }] }, [], {}, 'text', 0, 12.5, false, null, 10n, ['x', ['y']]]) {
      expect(key({ tenantId: 't1', filters }).key).toMatch(/^fmpa:list:t1:[A-Za-z0-9_-]{16,}$/)
    }
  })

  it('keeps different values apart', () => {
    const traore = key({ tenantId: 't1', filters: { patient: 'TRAORE' } }).key
    expect(key({ tenantId: 't1', filters: { patient: 'KOUADIO' } }).key).not.toBe(traore)
    expect(key({ tenantId: 't1', filters: { patient: ['TRAORE'] } }).key).not.toBe(traore)
    expect(key({ tenantId: 't1', filters: { patient: 'TRAORE', page: 1 } }).key).not.toBe(traore)
  })

  it('honours toJSON(): a valid Date hashes as its ISO string', () => {
    const at = '2025-01-08T10:00:00.000Z'
    expect(key({ tenantId: 't1', filters: { from: new Date(at) } }).key).toBe(key({ tenantId: 't1', filters: { from: at } }).key)
    const money = { toJSON: () => ({ amount: '12.50', currency: 'XOF' }) }
    expect(key({ tenantId: 't1', filters: { price: money } }).key).toBe(key({ tenantId: 't1', filters: { price: { currency: 'XOF', amount: '12.50' } } }).key)
    // toJSON's result obeys the same rules.
    expect(refusal(() => key({ tenantId: 't1', filters: { toJSON: () => new Map() } })).message).toContain('a Map')
  })

  it('treats a property set to undefined as absent, as JSON does', () => {
    expect(key({ tenantId: 't1', filters: { status: 'ACTIVE', search: undefined } }).key).toBe(key({ tenantId: 't1', filters: { status: 'ACTIVE' } }).key)
  })
})

describe('accepted values keep their canonical JSON, so existing keys do not move', () => {
  const filters = { status: 'ACTIVE', page: 2, tags: ['a', 'b'], from: new Date('2025-01-08T10:00:00.000Z'), range: { max: 10, min: null } }
  const text = '{"from":"2025-01-08T10:00:00.000Z","page":2,"range":{"max":10,"min":null},"status":"ACTIVE","tags":["a","b"]}'

  it('canonicalJson', () => {
    expect(canonicalJson(filters)).toBe(text)
    expect(canonicalJson(12345678901234567890n)).toBe('"12345678901234567890"')
  })

  it("'hash': the first 16 characters of base64url SHA-256", () => {
    expect(hashedKey({ tenantId: 't1', filters }).key).toBe(`fmpa:list:t1:${createHash('sha256').update(text).digest('base64url').slice(0, 16)}`)
  })

  it("'hmac': HMAC-SHA-256 of the canonical JSON, and of the text of a scalar", () => {
    expect(hmacKey({ tenantId: 't1', filters }).key).toBe(`fmpa:list:t1:${createHmac('sha256', SECRET).update(text).digest('base64url').slice(0, 22)}`)
    expect(hmacKey({ tenantId: 't1', filters: 'CI-20250108-00001' }).key).toBe(
      `fmpa:list:t1:${createHmac('sha256', SECRET).update('CI-20250108-00001').digest('base64url').slice(0, 22)}`,
    )
  })
})

describe('parameters read through a throwing getter', () => {
  const patientKey = defineKey('patient:{id}')
  const thrown = new Error('patient TRAORE is restricted')
  const params = {
    get id(): string {
      throw thrown
    },
  }

  it('binding a key throws an InvalidKeyError naming the parameter, the original as its cause', () => {
    for (const build of [() => patientKey(params), () => patientKey.pattern(params)]) {
      let caught: unknown
      try {
        build()
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(InvalidKeyError)
      expect((caught as Error).message).toContain("parameter 'id'")
      expect((caught as Error).message).not.toContain('TRAORE')
      expect((caught as Error).cause).toBe(thrown)
    }
  })
})

describe("'hmac' strings", () => {
  it('refuses a lone surrogate, which UTF-8 would turn into U+FFFD and so into another code', () => {
    const codeKey = defineKey('patient:{code}', { params: { code: { hmac: SECRET } } })
    expect(() => codeKey({ code: 'CI-\uD800' })).toThrow(InvalidKeyError)
    expect(() => codeKey({ code: 'CI-\uFFFD' })).not.toThrow()
    expect(() => codeKey({ code: 'CI-\uD83D\uDE00' })).not.toThrow()
  })
})
