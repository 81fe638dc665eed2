export { redisDriver } from './redis-driver.js'
export { redisDriverFromEnv } from './from-env.js'
export type {
  RedisClientForm,
  RedisClusterClientForm,
  RedisClusterForm,
  RedisConnectionAuth,
  RedisDriver,
  RedisDriverClient,
  RedisDriverClusterClient,
  RedisDriverOptions,
  RedisDriverTls,
  RedisDriverTuning,
  RedisHostForm,
  RedisNodeAddress,
  RedisSentinelForm,
  RedisSentinelTarget,
  RedisUrlForm,
} from './options.js'
export type { RedisEnv } from './env-options.js'
