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
  SubscribeOptions,
  TrackingCommands,
  TrackingOptions,
  ZRangeOptions,
} from './driver/driver.js'
export { CAPABILITY_METHODS, hasCapabilities, requireCapabilities } from './driver/driver-capabilities.js'
export { isTombstone, newTombstone } from './operations/fence.js'
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
export { compileGlob, escapeGlob, matchGlob } from './keys/glob.js'
export type { Clock } from './clock.js'
export { systemClock } from './clock.js'
export { DeadlineQueue } from './store-calls/deadline.js'
export type { DeadlineToken } from './store-calls/deadline.js'
export { memoryDriver } from './memory/memory-driver.js'
export type { MemoryDriverOptions } from './memory/options.js'
export { createCache } from './create-cache.js'
export type { Cache, CacheCloseOptions, CacheHealth } from './create-cache.js'
export type { CacheOptions } from './options/cache-options.js'
export type { WireFormat } from './encoding/wire-format.js'
export type { CacheStats, L1Stats } from './observability/cache-stats.js'
export type { LoaderContext, Loader, WriteOptions } from './operations/get-or-set.js'
export type { ManyLoader } from './operations/get-or-set-many.js'
export type { SetManyEntry } from './operations/set-many.js'
export type {
  DistributedLockOptions,
  EarlyRefreshOptions,
  LoaderTimeoutOptions,
  ResilienceOptions,
  RevalidateOptions,
} from './options/resilience-options.js'
export type { CircuitBreakerOptions, CircuitState } from './resilience/circuit-breaker.js'
export type { CompressionOptions } from './options/compression-options.js'
export type { L1Options } from './options/l1-options.js'
export type { EncryptionOptions } from './options/encryption-options.js'
export type { ReencryptResult } from './operations/reencrypt.js'
export type { InvalidationQueueOptions } from './options/invalidation-queue-options.js'
export type { CacheEvent, CacheEventListener, CacheEventListeners, CacheEventName, DiagnosticsChannelModule } from './observability/cache-events.js'
export { shouldRefreshEarly } from './resilience/early-refresh.js'
export { defineKey, isKey } from './keys/define-key.js'
export type { Key, KeyDefinition, KeyOptions, KeyParams, KeyPattern, ParamSpecs } from './keys/define-key.js'
export type { TemplateParamNames } from './keys/key-template.js'
export type { HashableObject, HashableParam, HmacParam, ParamMode, ParamValue, ScalarParam } from './keys/key-params.js'
export { parseDuration } from './options/duration.js'
export type { Duration, DurationUnit } from './options/duration.js'
export { ttlPresets } from './options/ttl.js'
export type { TtlPolicyName, TtlPresetName, TtlSpec } from './options/ttl.js'
export { cacheConfigFromEnv } from './options/env-config.js'
export type { CacheEnv, CacheEnvConfig } from './options/env-config.js'
export { jsonCodec } from './encoding/codec.js'
export type { BytesCodec, Codec, StringCodec } from './encoding/codec.js'
export type { InferSchemaOutput, StandardSchemaV1, StandardSchemaV1Props, StandardSchemaV1Result } from './keys/standard-schema.js'
export { rateLimitedConsoleLogger } from './observability/logger.js'
export type { CacheLogFields, CacheLogger } from './observability/logger.js'
export { canonicalJson, stableHash } from './keys/canonical-json.js'
export { foldText } from './keys/fold-text.js'
export { encodeBase64Url, hmacSha256, sha256, toHex } from './keys/sha256.js'
