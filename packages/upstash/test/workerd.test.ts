/**
 * core + the Upstash driver, bundled for the edge, running in Cloudflare's workerd (through
 * miniflare 3), talking over real HTTP to the Upstash bridge in front of a real redis-server.
 * workerd makes the requests itself, through miniflare's default `internet` network service,
 * which allows private addresses, loopback included: no outbound hook in Node is involved.
 */
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleEdgeWorker, externalImports, nodeImportsIn, type EdgeBundle } from './support/edge-bundle.js'
import { edgeScenarioTests, type SendToWorker } from './support/edge-scenarios.js'
import { useEdgeTargets } from './support/edge-targets.js'

describe('in workerd (Cloudflare Workers)', () => {
  const targets = useEdgeTargets()
  let bundle: EdgeBundle | undefined
  let mf: Miniflare | undefined
  let send: SendToWorker | undefined

  beforeAll(async () => {
    bundle = await bundleEdgeWorker()
    const worker = new Miniflare({
      modules: true,
      script: bundle.code,
      // No nodejs_compat flag: the bundle must run on the plain Workers runtime.
      compatibilityDate: '2025-07-18',
      bindings: { ...targets().env },
    })
    mf = worker
    await worker.ready
    send = async (path) => {
      const started = performance.now()
      const response = await worker.dispatchFetch(`http://worker.test${path}`)
      const body = (await response.json()) as Awaited<ReturnType<SendToWorker>>['body']
      return { status: response.status, body, ms: performance.now() - started }
    }
  })
  afterAll(async () => {
    await mf?.dispose()
    bundle?.dispose()
  })

  it('gets one whole bundle: nothing external, no node: import or require', () => {
    if (bundle === undefined) throw new Error('no bundle')
    expect(externalImports(bundle.metafile)).toEqual([])
    expect(nodeImportsIn(bundle.code)).toEqual([])
    // The driver, core and the client really are inside.
    const inputs = Object.keys(bundle.metafile.inputs)
    for (const part of ['packages/upstash/src/upstash-driver.ts', 'packages/core/src/create-cache.ts', '@upstash/redis']) expect(inputs.some((input) => input.includes(part))).toBe(true)
  })

  it('runs without Node: no process, no Buffer, no require in the worker', async () => {
    const probe = new Miniflare({
      modules: true,
      compatibilityDate: '2025-07-18',
      script: 'export default { fetch: () => Response.json([typeof process, typeof Buffer, typeof require]) }',
    })
    try {
      const response = await probe.dispatchFetch('http://probe.test/')
      expect(await response.json()).toEqual(['undefined', 'undefined', 'undefined'])
    } finally {
      await probe.dispose()
    }
  })

  edgeScenarioTests(
    () => {
      if (send === undefined) throw new Error('workerd is not running')
      return send
    },
    targets,
  )
})
