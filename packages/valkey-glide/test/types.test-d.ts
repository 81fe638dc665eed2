import { expectTypeOf, test } from 'vitest'
import type { Driver } from '@cachette/core'
import type { GlideClient } from '@valkey/valkey-glide'
import { glideDriver, glideDriverFromEnv, type GlideDriverOptions, type GlideDriverTuning } from '../src/index.js'

test('glideDriver takes a client or addresses, and returns a full Driver', () => {
  expectTypeOf(glideDriver({ addresses: [{ host: 'valkey.internal', port: 6379 }] })).toEqualTypeOf<Driver>()
  expectTypeOf(glideDriver).toBeCallableWith({ client: {} as GlideClient, deadlineMs: 200 })
  expectTypeOf(glideDriver).toBeCallableWith({ addresses: [{ host: 'h' }], clusterMode: true, useTLS: true, tls: { rootCertificates: 'pem' }, credentials: { password: 'p' } })
  // @ts-expect-error: an address needs a host
  glideDriver({ addresses: [{ port: 6379 }] })
  // @ts-expect-error: neither a client nor addresses
  glideDriver({ deadlineMs: 200 })
  // @ts-expect-error: the password is required in credentials
  glideDriver({ addresses: [{ host: 'h' }], credentials: { username: 'u' } })
  expectTypeOf<GlideDriverOptions>().toMatchTypeOf<GlideDriverTuning>()
})

test('glideDriverFromEnv takes an env and tuning', () => {
  expectTypeOf(glideDriverFromEnv).parameters.toEqualTypeOf<[env?: Readonly<Record<string, string | undefined>>, tuning?: GlideDriverTuning]>()
  expectTypeOf(glideDriverFromEnv()).toEqualTypeOf<Driver>()
})
