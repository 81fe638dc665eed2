export { upstashDriver } from './upstash-driver.js'
export { upstashDriverFromEnv } from './from-env.js'
export type { UpstashClientOptions, UpstashCommonOptions, UpstashConnectionOptions, UpstashDriverOptions } from './options.js'
export type { UpstashEnv } from './env-options.js'
