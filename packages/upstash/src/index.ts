export { upstashDriver, upstashDriverFromEnv } from './upstash-driver.js'
export type {
  UpstashClientOptions,
  UpstashCommonOptions,
  UpstashConnectionOptions,
  UpstashDriverOptions,
  UpstashEnv,
} from './options.js'
