export type {
  BaseDriver,
  BatchCommand,
  BatchCommands,
  BatchResult,
  BinaryCommands,
  CompareAndSetCommands,
  CounterCommands,
  Driver,
  DriverCapabilities,
  DriverCapability,
  DriverInfo,
  DriverScanOptions,
  DriverSetOptions,
  DriverValue,
  DriverWith,
  HashCommands,
  InspectionCommands,
  PubSubCommands,
  ScoreBound,
  SetCommands,
  SortedSetCommands,
  SortedSetEntry,
  Unsubscribe,
  ZRangeOptions,
} from './driver.js'
export { CAPABILITY_METHODS, hasCapabilities, requireCapabilities } from './driver-capabilities.js'
export { isTombstone, newTombstone } from './fence.js'
export {
  CacheError,
  CircuitOpenError,
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
export { DeadlineQueue } from './deadline.js'
export type { DeadlineToken } from './deadline.js'
export { memoryDriver } from './memory/memory-driver.js'
export type { MemoryDriverOptions } from './memory/options.js'
export { createCache } from './create-cache.js'
export type { Cache, CacheCloseOptions, CacheHealth } from './create-cache.js'
export type { CacheOptions } from './cache-options.js'
export type { WireFormat } from './wire-format.js'
export type { CacheStats } from './cache-stats.js'
export type { LoaderContext, Loader, WriteOptions } from './get-or-set.js'
export type {
  DistributedLockOptions,
  EarlyRefreshOptions,
  LoaderTimeoutOptions,
  ResilienceOptions,
} from './resilience-options.js'
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.js'
export type { InvalidationQueueOptions } from './invalidation-queue-options.js'
export type { CacheEvent, CacheEventListener, CacheEventListeners, CacheEventName, DiagnosticsChannelModule } from './cache-events.js'
export { shouldRefreshEarly } from './early-refresh.js'
export { defineKey, isKey } from './define-key.js'
export type { Key, KeyDefinition, KeyOptions, KeyParams, KeyPattern, ParamSpecs } from './define-key.js'
export type { TemplateParamNames } from './key-template.js'
export type { HashableObject, HashableParam, HmacParam, ParamMode, ParamValue, ScalarParam } from './key-params.js'
export { parseDuration } from './duration.js'
export type { Duration, DurationUnit } from './duration.js'
export { ttlPresets } from './ttl.js'
export type { TtlPolicyName, TtlPresetName, TtlSpec } from './ttl.js'
export { cacheConfigFromEnv } from './env-config.js'
export type { CacheEnv, CacheEnvConfig } from './env-config.js'
export { jsonCodec } from './codec.js'
export type { BytesCodec, Codec, StringCodec } from './codec.js'
export type { InferSchemaOutput, StandardSchemaV1, StandardSchemaV1Props, StandardSchemaV1Result } from './standard-schema.js'
export { rateLimitedConsoleLogger } from './logger.js'
export type { CacheLogFields, CacheLogger } from './logger.js'
export { canonicalJson, stableHash } from './canonical-json.js'
export { encodeBase64Url, hmacSha256, sha256, toHex } from './sha256.js'
