import type { Meter } from '@opentelemetry/api'
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'

/** An OpenTelemetry meter whose measurements are read as Prometheus text by `GET /metrics`. */
export interface PrometheusMetrics {
  /** Give it to `createCache({ meter })`: the messaging built on that cache reports through it too (`cache_*` under `key_prefix="messaging"`). */
  readonly meter: Meter
  /** The Prometheus exposition text (`cache_operations_total`...). */
  render(): Promise<string>
  /** Stops the provider. */
  shutdown(): Promise<void>
}

/**
 * A meter provider of its own (not the global one), so several apps can live in one process (tests)
 * and nothing else's metrics leak in. The exporter's own HTTP server is not started: Fastify serves
 * the text on the app's port.
 *
 * @example
 * ```ts
 * const metrics = createPrometheusMetrics()
 * const cache = createCache({ meter: metrics.meter })
 * ```
 */
export function createPrometheusMetrics(): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const provider = new MeterProvider({ readers: [exporter] })
  const serializer = new PrometheusSerializer()
  return {
    meter: provider.getMeter('@cachette/example-messaging-api'),
    async render() {
      const { resourceMetrics } = await exporter.collect()
      return serializer.serialize(resourceMetrics)
    },
    shutdown: () => provider.shutdown(),
  }
}
