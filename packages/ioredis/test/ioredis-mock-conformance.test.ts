import RedisMock from 'ioredis-mock'
import type { Redis } from 'ioredis'
import { runDriverConformance } from '@cachette/testing'
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
runDriverConformance('ioredis (ioredis-mock)', () => ioredisDriver({ client: new RedisMock() as unknown as Redis }), {
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
