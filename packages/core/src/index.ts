export type {
  BatchCommand,
  BatchResult,
  Driver,
  DriverCapabilities,
  DriverInfo,
  DriverScanOptions,
  DriverSetOptions,
  DriverValue,
  ScoreBound,
  SortedSetEntry,
  Unsubscribe,
  ZRangeOptions,
} from './driver.js'
export {
  CacheError,
  DecodeError,
  DeadlineExceededError,
  DriverError,
  InvalidDurationError,
  InvalidKeyError,
  InvalidOptionsError,
  LoaderTimeoutError,
  MissingCapabilityError,
  isCacheError,
} from './errors.js'
export type { CacheErrorCode, CacheErrorOptions } from './errors.js'
export { compileGlob, escapeGlob, matchGlob } from './glob.js'
export type { Clock } from './clock.js'
export { systemClock } from './clock.js'
