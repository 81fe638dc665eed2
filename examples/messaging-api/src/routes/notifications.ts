import type { Messaging, MessagingUnsubscribe } from '@cachette/messaging'
import type { FastifyInstance } from 'fastify'
import type { ServerResponse } from 'node:http'
import { z } from 'zod'
import { DEGRADED, defined, PageQuery, parseInput, userOf } from './http-support.js'

const HistoryQuery = PageQuery.extend({ priority: z.enum(['high', 'medium', 'low']).optional() })

/** A comment line every 15 s keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000

/**
 * Notifications: `GET /users/:type/:id/notifications?priority=` (the 7-day history) and
 * `GET /users/:type/:id/events`, a Server-Sent Events stream of that user's notifications
 * (`event: notification`) and of presence changes (`event: presence`), from every instance on the
 * store. The stream starts with `event: ready` once both subscriptions are active; closing the
 * connection unsubscribes both.
 *
 * @example
 * ```ts
 * registerNotificationRoutes(app, { messaging })
 * ```
 */
export function registerNotificationRoutes(app: FastifyInstance, { messaging }: { messaging: Messaging }): void {
  // Open streams never end by themselves: closing the app ends them (their 'close' unsubscribes).
  const streams = new Set<ServerResponse>()
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end()
  })

  app.get('/users/:type/:id/notifications', async (request, reply) => {
    const page = await messaging.notificationHistory(userOf(request.params), defined(parseInput(HistoryQuery, request.query)))
    if (page.degraded) return reply.code(503).send(DEGRADED)
    return { items: page.items, nextCursor: page.nextCursor ?? null }
  })

  app.get('/users/:type/:id/events', async (request, reply) => {
    const user = userOf(request.params)
    const unsubscribes: MessagingUnsubscribe[] = []
    let closed = false
    const raw = reply.raw
    const write = (event: string, data: unknown): void => {
      if (!closed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    }
    const cleanUp = async (): Promise<void> => {
      closed = true
      streams.delete(raw)
      clearInterval(keepAlive)
      if (reply.sent) raw.end()
      await Promise.all(unsubscribes.splice(0).map((unsubscribe) => unsubscribe().catch(() => undefined)))
    }
    const keepAlive = setInterval(() => void (closed || raw.write(': keep-alive\n\n')), KEEP_ALIVE_MS)
    keepAlive.unref()
    // The response's 'close' (the connection went, or the stream was ended), registered before
    // subscribing: a client gone during the subscription is cleaned up too.
    raw.once('close', () => void cleanUp())
    try {
      unsubscribes.push(await messaging.subscribe(user, (notification) => write('notification', notification)))
      unsubscribes.push(await messaging.subscribePresence((change) => write('presence', change)))
    } catch (error) {
      await cleanUp()
      throw error // the store is down: the error handler answers 503 (no header was sent yet)
    }
    if (closed) {
      // The client left while we subscribed: 'close' ran before these subscriptions existed.
      await cleanUp()
      reply.hijack() // nothing to answer on a closed connection
      return reply
    }
    reply.hijack()
    streams.add(raw)
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    write('ready', { user })
    return reply
  })
}
