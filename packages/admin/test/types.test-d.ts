import { createCache, memoryDriver } from '@cachette/core'
import { describe, expectTypeOf, it } from 'vitest'
import { createAdminHandler, type AdminAuthorization, type AdminHandler, type AdminHandlerOptions, type AdminStatsBody } from '../src/index.js'

const cache = createCache({ driver: memoryDriver(), prefix: 'identity', env: false })

describe('types', () => {
  it('is a fetch handler: a web Request in, a Response promised', () => {
    const admin = createAdminHandler({ cache, token: 'a-token-of-sixteen+' })
    expectTypeOf(admin).toEqualTypeOf<AdminHandler>()
    expectTypeOf(admin).parameters.toEqualTypeOf<[Request]>()
    expectTypeOf(admin).returns.resolves.toEqualTypeOf<Response>()
  })

  it('takes authorize answering a boolean or a caller, sync or async', () => {
    expectTypeOf<AdminHandlerOptions['authorize']>().toEqualTypeOf<((request: Request) => AdminAuthorization | Promise<AdminAuthorization>) | undefined>()
    createAdminHandler({ cache, authorize: async () => ({ who: 'alice' }) })
    createAdminHandler({ cache, authorize: () => false })
    // @ts-expect-error a string is not an answer
    createAdminHandler({ cache, authorize: () => 'alice' })
    // @ts-expect-error the cache is required
    createAdminHandler({ token: 'a-token-of-sixteen+' })
  })

  it("types seed 002's stats fields as nullable numbers, memory as a string", () => {
    expectTypeOf<AdminStatsBody['keyspace_hits']>().toEqualTypeOf<number | null>()
    expectTypeOf<AdminStatsBody['used_memory']>().toEqualTypeOf<string | null>()
    expectTypeOf<AdminStatsBody['cache']['hitRate']>().toEqualTypeOf<number>()
  })
})
