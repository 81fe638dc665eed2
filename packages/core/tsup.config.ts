import { definePackageBuild } from '../../.config/tsup'

// Three entries: the public API, the kit for domain packages, the Redis wire helpers for drivers.
export default definePackageBuild({ entry: ['src/index.ts', 'src/kit.ts', 'src/redis.ts'] })
