/**
 * A process of the forget-processes test: its own ioredisDriver and a cache with the memory tier
 * and the invalidation bus (as two-tiers-worker.ts), forked by two-tiers-harness.ts and speaking
 * its IPC protocol (a ready message with id 0, then one reply per request id), but answering
 * requests of its own: writes naming data subjects, reads saying which tier answered, forget.
 */
import { createCache } from '@cachette/core'
import { ioredisDriver } from '../../src/index.js'
import { twoTiersConfig, type GetResult, type TwoTiersReply } from './two-tiers-process.js'
import { pingUntilReady } from './ping-until-ready.js'

/** Harness -> this worker (sent with `worker.ask(request as never)`). */
export type ForgetRequest =
  | { readonly type: 'setMany'; readonly entries: readonly { readonly key: string; readonly value: unknown; readonly subjects: readonly string[] }[] }
  | { readonly type: 'get'; readonly key: string }
  | { readonly type: 'forget'; readonly subjects: readonly string[] }
  | { readonly type: 'stats' }
  | { readonly type: 'exit' }

const config = twoTiersConfig()
const driver = ioredisDriver(config.store as { url: string })
await pingUntilReady(driver)
const cache = createCache({ driver, prefix: config.prefix, env: false, l1: true, ttl: '10m' })

const handle = async (request: ForgetRequest): Promise<unknown> => {
  switch (request.type) {
    case 'setMany':
      return cache.setMany(request.entries.map(({ key, value, subjects }) => ({ key, value, options: { subjects } })))
    case 'get': {
      const before = cache.stats().l1?.hits ?? 0
      const value = await cache.get(request.key)
      return { value: value === undefined ? null : JSON.stringify(value), l1Hit: (cache.stats().l1?.hits ?? 0) === before + 1 } satisfies GetResult
    }
    case 'forget':
      return cache.forget(request.subjects)
    case 'stats':
      return cache.stats()
    case 'exit':
      return null
  }
}

process.on('disconnect', () => process.exit(1))
await new Promise<void>((resolve) => {
  process.on('message', (message: ForgetRequest & { id: number }) => {
    handle(message).then(
      (result) => {
        process.send?.({ id: message.id, ok: true, result } satisfies TwoTiersReply)
        if (message.type === 'exit') resolve()
      },
      (error: unknown) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } satisfies TwoTiersReply),
    )
  })
  process.send?.({ id: 0, ok: true, result: 'ready' } satisfies TwoTiersReply)
})
await cache.close({ driver: true }).catch(() => undefined)
process.exit(0)
