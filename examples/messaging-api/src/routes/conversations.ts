import type { Messaging } from '@cachette/messaging'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { DEGRADED, defined, HttpError, PageQuery, parseInput } from './http-support.js'

const Identifier = z.union([z.string().min(1).max(128), z.number().int().nonnegative()])
const CreateConversationBody = z.object({
  type: z.string().min(1).max(64),
  contextId: Identifier,
  doctorId: Identifier,
  patientId: Identifier,
  title: z.string().min(1).max(200).optional(),
})
const SendMessageBody = z.object({
  sender: z.object({ type: z.enum(['doctor', 'patient']), id: Identifier }),
  content: z.string().min(1).max(10_000),
  // The client's id makes a retry idempotent (the outbox replays with it too).
  id: z.string().min(1).max(128).optional(),
})
const ConversationParams = z.object({ id: z.string().min(1).max(128) })

/**
 * Conversations and their messages: `POST /conversations` (201 created, 200 existing),
 * `GET /conversations/:id`, `POST /conversations/:id/messages` (201 stored or duplicate, 202
 * queued in the outbox while the store is down), `GET /conversations/:id/messages`,
 * `POST /messages/:id/read`.
 *
 * @example
 * ```ts
 * registerConversationRoutes(app, { messaging })
 * ```
 */
export function registerConversationRoutes(app: FastifyInstance, { messaging }: { messaging: Messaging }): void {
  app.post('/conversations', async (request, reply) => {
    const body = parseInput(CreateConversationBody, request.body)
    const { conversation, created } = await messaging.createConversation(defined(body))
    return reply.code(created ? 201 : 200).send({ conversation, created })
  })

  app.get('/conversations/:id', async (request, reply) => {
    const { id } = parseInput(ConversationParams, request.params)
    const { value, degraded } = await messaging.getConversation(id)
    if (degraded) return reply.code(503).send(DEGRADED)
    if (value === undefined) throw new HttpError(404, 'CONVERSATION_NOT_FOUND')
    return { conversation: value }
  })

  app.post('/conversations/:id/messages', async (request, reply) => {
    const { id: conversationId } = parseInput(ConversationParams, request.params)
    const body = parseInput(SendMessageBody, request.body)
    const { status, message } = await messaging.sendMessage(defined({ conversationId, sender: body.sender, content: body.content, id: body.id }))
    return reply.code(status === 'queued' ? 202 : 201).send({ status, message })
  })

  app.get('/conversations/:id/messages', async (request, reply) => {
    const { id } = parseInput(ConversationParams, request.params)
    const page = await messaging.listMessages(id, defined(parseInput(PageQuery, request.query)))
    if (page.degraded) return reply.code(503).send(DEGRADED)
    return { items: page.items, nextCursor: page.nextCursor ?? null }
  })

  app.post('/messages/:id/read', async (request) => {
    const { id } = parseInput(ConversationParams, request.params)
    if (!(await messaging.markMessageRead(id))) throw new HttpError(404, 'MESSAGE_NOT_FOUND')
    return { id, isRead: true }
  })
}
