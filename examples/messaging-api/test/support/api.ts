import { randomBytes } from 'node:crypto'
import type { CacheLogger, Driver } from '@cachette/core'
import type { MessagingOutbox } from '@cachette/messaging'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { buildApp } from '../../src/app.js'
import { createMessagingService, type MessagingService } from '../../src/messaging-service.js'
import { createPrometheusMetrics, type PrometheusMetrics } from '../../src/metrics.js'
import { startOutboxFlusher, type OutboxFlusher } from '../../src/outbox-flusher.js'

/** One app under test, with what a test needs to look behind it. */
export interface TestApi {
  readonly app: FastifyInstance
  readonly service: MessagingService
  readonly metrics: PrometheusMetrics
  readonly flusher: OutboxFlusher
  /** What the cache logged (kept quiet). */
  readonly logs: readonly string[]
  /** Stops the flusher, the app, the cache and the outbox (not the driver). */
  close(): Promise<void>
}

/** A namespace of its own per test, so apps on one redis-server never share keys unless told to. */
export function randomNamespace(): string {
  return `messaging_${randomBytes(6).toString('hex')}`
}

/** Builds an app as main.ts does, on `driver` (memory when absent), with a fast flush timer. */
export async function startApi(options: { driver?: Driver; outbox?: MessagingOutbox & { close?(): Promise<void> }; namespace?: string; flushIntervalMs?: number } = {}): Promise<TestApi> {
  const metrics = createPrometheusMetrics()
  const logs: string[] = []
  const logger: CacheLogger = { warn: (message, fields) => void logs.push(JSON.stringify({ msg: message, ...fields })) }
  const service = createMessagingService({
    meter: metrics.meter,
    logger,
    ...(options.driver === undefined ? {} : { driver: options.driver }),
    ...(options.outbox === undefined ? {} : { outbox: options.outbox }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
  })
  const app = buildApp({ service, metrics })
  await app.ready()
  const flusher = startOutboxFlusher({ cache: service.cache, messaging: service.messaging, intervalMs: options.flushIntervalMs ?? 200 })
  return {
    app,
    service,
    metrics,
    flusher,
    logs,
    async close() {
      await flusher.stop()
      await app.close()
      await service.close()
      await metrics.shutdown()
    },
  }
}

/** A JSON request through `app.inject`; expects `status` when given. */
export async function call(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, status?: number): Promise<{ status: number; body: any }> {
  const response = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) })
  if (status !== undefined) expect(response.statusCode, response.body.slice(0, 300)).toBe(status)
  return { status: response.statusCode, body: response.body === '' ? undefined : response.json() }
}

/** Seed 004's conversation: doctor 79 and patient 5 about prescription `contextId`. */
export async function openConversation(app: FastifyInstance, contextId = '15'): Promise<string> {
  const { body } = await call(app, 'POST', '/conversations', { type: 'ordonnance', contextId, doctorId: 79, patientId: 5, title: `Ordonnance #${contextId}` })
  return body.conversation.id as string
}

/** Every message of a conversation, oldest first, following cursors. */
export async function readAllMessages(app: FastifyInstance, conversationId: string): Promise<{ id: string; content: string }[]> {
  const all: { id: string; content: string }[] = []
  let cursor: string | null = null
  do {
    const query: string = `order=oldest&limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`
    const { body } = await call(app, 'GET', `/conversations/${conversationId}/messages?${query}`, undefined, 200)
    all.push(...(body.items as { id: string; content: string }[]))
    cursor = body.nextCursor as string | null
  } while (cursor !== null)
  return all
}

/** Resolves once `predicate` holds, or rejects after `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const start = Date.now()
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
