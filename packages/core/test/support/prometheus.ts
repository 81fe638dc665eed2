import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'

const servers: Server[] = []

/** Closes the scrape servers {@link prometheus} opened (call it in afterEach). */
export async function closePrometheusServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
}

/** A real SDK MeterProvider read by the real Prometheus exporter, scraped over HTTP on a free port. */
export async function prometheus(options: { withoutScopeInfo?: boolean } = {}) {
  const exporter = new PrometheusExporter({ preventServerStart: true, ...options })
  const provider = new MeterProvider({ readers: [exporter] })
  const server = createServer((request, response) => exporter.getMetricsRequestHandler(request, response))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    meter: provider.getMeter('@cachette/core'),
    scrape: async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
  }
}

export interface Sample {
  readonly name: string
  readonly labels: Record<string, string>
  readonly value: number
}

export function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('cache_'))
    .map((line) => {
      const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line)
      if (match === null) throw new Error(`unexpected line: ${line}`)
      const labels = Object.fromEntries([...(match[2] as string).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
      return { name: match[1] as string, labels, value: Number(match[3]) }
    })
}

export const withoutScope = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).filter(([name]) => !name.startsWith('otel_scope_')))

/** `[labels, value]` of every sample of one metric, scope labels left out. */
export function valuesOf(all: readonly Sample[], name: string): [Record<string, string>, number][] {
  return all.filter((sample) => sample.name === name).map((sample) => [withoutScope(sample.labels), sample.value])
}
