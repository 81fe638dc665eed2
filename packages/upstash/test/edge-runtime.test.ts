/**
 * core + the Upstash driver, bundled for the edge, running in Vercel's edge-runtime (EdgeVM: a
 * V8 context with only the Web APIs, no require, no process, no code generation), talking over
 * real HTTP to the Upstash bridge in front of a real redis-server.
 */
import { EdgeRuntime } from 'edge-runtime'
import { transform } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleEdgeWorker, externalImports, nodeImportsIn, type EdgeBundle } from './support/edge-bundle.js'
import { edgeScenarioTests, type SendToWorker } from './support/edge-scenarios.js'
import { useEdgeTargets } from './support/edge-targets.js'

const GLOBAL_NAME = '__cachetteEdgeWorker'

describe('in edge-runtime (Vercel Edge)', () => {
  const targets = useEdgeTargets()
  let bundle: EdgeBundle | undefined
  let send: SendToWorker | undefined

  beforeAll(async () => {
    bundle = await bundleEdgeWorker()
    // EdgeVM evaluates scripts, not modules: the same bundle, its export turned into a global.
    const script = (await transform(bundle.code, { format: 'iife', globalName: GLOBAL_NAME, minify: true })).code
    const env = JSON.stringify(targets().env)
    const runtime = new EdgeRuntime({
      initialCode: `${script}\naddEventListener('fetch', (event) => event.respondWith(${GLOBAL_NAME}.default.fetch(event.request, ${env})))`,
    })
    send = async (path) => {
      const started = performance.now()
      const response = await runtime.dispatchFetch(`http://edge.test${path}`)
      const body = (await response.json()) as Awaited<ReturnType<SendToWorker>>['body']
      await response.waitUntil()
      return { status: response.status, body, ms: performance.now() - started }
    }
  })
  afterAll(() => bundle?.dispose())

  it('gets one whole bundle: nothing external, no node: import or require', () => {
    if (bundle === undefined) throw new Error('no bundle')
    expect(externalImports(bundle.metafile)).toEqual([])
    expect(nodeImportsIn(bundle.code)).toEqual([])
    // The driver, core and the client really are inside.
    const inputs = Object.keys(bundle.metafile.inputs)
    for (const part of ['packages/upstash/src/upstash-driver.ts', 'packages/core/src/create-cache.ts', '@upstash/redis']) expect(inputs.some((input) => input.includes(part))).toBe(true)
  })

  it('runs in a context without Node: no process, no require, no code generation', async () => {
    const runtime = new EdgeRuntime()
    expect(runtime.evaluate('[typeof process, typeof require, typeof Buffer].join()')).toBe('undefined,undefined,undefined')
    expect(() => runtime.evaluate('new Function("return 1")()')).toThrow(/Code generation from strings disallowed/)
  })

  edgeScenarioTests(
    () => {
      if (send === undefined) throw new Error('the edge runtime is not running')
      return send
    },
    targets,
  )
})
