export { glideDriver } from './glide-driver.js'
export { glideDriverFromEnv } from './from-env.js'
export type { GlideDriverOptions, GlideDriverTuning, GlideConnectionOptions, GlideCredentials, GlideNodeAddress, GlideTlsOptions } from './options.js'
export type { RedisEnv } from './env-options.js'
