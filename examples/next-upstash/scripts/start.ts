/**
 * `pnpm demo next-upstash`: builds the app and starts it on PORT (default 3000). The cache is
 * Upstash when UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are set; otherwise a local
 * redis-server behind the @cachette/testing Upstash bridge (the real @upstash/redis client over
 * HTTP) when redis-server is installed; otherwise the memory driver.
 */
import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { startRedisServer, startUpstashBridge } from '@cachette/testing'
import { buildApp, startApp } from './next-app'

const port = Number(process.env.PORT ?? 3000)
const env: Record<string, string> = { INTERNAL_API_TOKEN: process.env.INTERNAL_API_TOKEN ?? randomBytes(24).toString('base64url') }
const cleanups: (() => Promise<void>)[] = []

if (process.env.UPSTASH_REDIS_REST_URL && process.env.UPSTASH_REDIS_REST_TOKEN) {
  console.log('cache: Upstash at UPSTASH_REDIS_REST_URL')
} else if (spawnSync('redis-server', ['--version']).status === 0) {
  const redis = await startRedisServer()
  const bridge = await startUpstashBridge({ redisUrl: redis.url })
  cleanups.push(() => bridge.stop(), () => redis.stop())
  Object.assign(env, { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: bridge.token })
  console.log(`cache: a local redis-server (${redis.url}) behind the Upstash bridge (${bridge.url})`)
} else {
  env.CACHE_DRIVER = 'memory'
  console.log('cache: the memory driver (no Upstash variables, no redis-server): Node and Edge routes each keep their own cache')
}

console.log('building @cachette/core, @cachette/upstash and the app (next build)...')
buildApp()
const app = await startApp(port, env, { inherit: true })
console.log(`\nready on ${app.url}: try  curl -i -H 'x-tenant-id: sdis-13' '${app.url}/api/fmpa?status=ACTIVE'  (README.md walks the seed's requests)`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    if (stopping) return
    stopping = true
    await app.stop()
    for (const cleanup of cleanups) await cleanup()
    process.exit(0)
  })
}
