import { it } from 'vitest'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startRedisServer } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'
setFlagsFromString('--expose_gc')
const gc = runInNewContext('gc') as () => void
it('probe', async () => {
  for (let round = 0; round < 6; round++) {
    const server = await startRedisServer()
    const driver = ioredisDriver({ url: server.url })
    const client = (driver as any).client
    const t0 = Date.now()
    const log: string[] = []
    for (const ev of ['close', 'end', 'reconnecting', 'ready', 'connect', 'error']) client.on(ev, (e: any) => log.push(`${Date.now() - t0} ${ev} ${e?.message ?? ''}`))
    await driver.ping()
    log.push(`${Date.now() - t0} pinged`)
    await server.kill('SIGKILL')
    log.push(`${Date.now() - t0} killed`)
    const r = await driver.ping().then(() => 'ok', (e) => e.code)
    log.push(`${Date.now() - t0} ping2 ${r}`)
    gc()
    await new Promise((r) => setTimeout(r, 700))
    log.push(`${Date.now() - t0} status ${client.status}`)
    console.log(log.join('\n'))
    await driver.close(); await server.stop()
  }
}, 60000)
