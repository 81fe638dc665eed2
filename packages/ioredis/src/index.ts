export { ioredisDriver } from './ioredis-driver.js'
export { ioredisDriverFromEnv } from './from-env.js'
export type { IoredisDriverOptions, IoredisDriverTuning, IoredisConnectionAuth, IoredisNodeAddress, IoredisTls } from './options.js'
export type { RedisEnv } from './env-options.js'
