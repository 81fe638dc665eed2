import RedisMock from 'ioredis-mock'
import type { Redis } from 'ioredis'
import { afterEach } from 'vitest'
import { runDriverConformance } from '@cachette/testing/conformance'
import { ioredisDriver } from '../src/index.js'

/*
 * The whole suite on ioredis-mock 8.13.1. Where the mock departs from Redis, a quirk makes the
 * suite assert what the mock does instead (each documented in DriverConformanceQuirks). The
 * model-based test compares less on this store; left out of its random commands:
 * - commands on a key of another type (each key keeps one type: noWrongTypeErrors);
 * - INCRBY / HINCRBY on anything but small canonical integers (looseIntegerIncrements);
 * - SCAN patterns with `?`, `[^...]` or `\` escapes (globAsJsRegExp);
 * - fractional score bounds (truncatedScoreBounds) and negative LIMIT offsets (sliceLimitOffset).
 * The model expects what the mock does for compareAndDelete of '' (emptyStringIsNilInScripts).
 */
// The driver leaves a client it was handed open, so the test disconnects each mock: a mock
// listens on ioredis-mock's shared data until then.
const mocks: InstanceType<typeof RedisMock>[] = []
afterEach(() => {
  for (const mock of mocks.splice(0)) mock.disconnect()
})
const makeMock = () => {
  const mock = new RedisMock()
  mocks.push(mock)
  return mock as unknown as Redis
}

runDriverConformance('ioredis (ioredis-mock)', () => ioredisDriver({ client: makeMock() }), {
  quirks: {
    noWrongTypeErrors: true,
    looseIntegerIncrements: true,
    globAsJsRegExp: true,
    scanCursorIsIndex: true,
    utf16MemberOrder: true,
    truncatedScoreBounds: true,
    keepsEmptySortedSets: true,
    sliceLimitOffset: true,
    emptyStringIsNilInScripts: true,
  },
})
