import type { Messaging } from '@cachette/messaging'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { DEGRADED, defined, PageQuery, parseInput, userOf } from './http-support.js'

const ProfileBody = z.object({
  lastName: z.string().min(1).max(100),
  firstName: z.string().min(1).max(100),
  email: z.string().email().max(200).optional(),
  specialty: z.string().min(1).max(100).optional(),
})
const PresenceBody = z.object({ status: z.enum(['online', 'offline']) })
const SearchQuery = z.object({
  q: z.string().min(1).max(200),
  type: z.enum(['doctor', 'patient', 'medecin']).transform((type) => (type === 'medecin' ? 'doctor' : type)).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
})

/**
 * Users: `PUT /users/:type/:id` (a profile, indexed for search), `GET /users/:type/:id`,
 * `GET /users/:type/:id/conversations`, `PUT /users/:type/:id/presence` (a heartbeat, or offline),
 * `GET /users/search?q=&type=` (accents and case ignored, most relevant first).
 *
 * @example
 * ```ts
 * registerUserRoutes(app, { messaging })
 * ```
 */
export function registerUserRoutes(app: FastifyInstance, { messaging }: { messaging: Messaging }): void {
  app.get('/users/search', async (request, reply) => {
    const { q, type, limit } = parseInput(SearchQuery, request.query)
    const { items, degraded } = await messaging.searchUsers(defined({ query: q, type, limit }))
    if (degraded) return reply.code(503).send(DEGRADED)
    return { items }
  })

  app.put('/users/:type/:id', async (request) => {
    const user = userOf(request.params)
    const profile = await messaging.storeUser({ ...user, ...defined(parseInput(ProfileBody, request.body)) })
    return { user: profile }
  })

  app.get('/users/:type/:id', async (request, reply) => {
    const { value, degraded } = await messaging.getUser(userOf(request.params))
    if (degraded) return reply.code(503).send(DEGRADED)
    if (value === undefined) return reply.code(404).send({ error: 'Utilisateur introuvable', code: 'USER_NOT_FOUND' })
    const online = await messaging.isOnline({ type: value.type, id: value.id })
    return { user: value, online: online.value === true }
  })

  app.get('/users/:type/:id/conversations', async (request, reply) => {
    const page = await messaging.listConversations(userOf(request.params), defined(parseInput(PageQuery, request.query)))
    if (page.degraded) return reply.code(503).send(DEGRADED)
    return { items: page.items, nextCursor: page.nextCursor ?? null }
  })

  app.put('/users/:type/:id/presence', async (request) => {
    const user = userOf(request.params)
    const { status } = parseInput(PresenceBody, request.body)
    if (status === 'online') await messaging.heartbeat(user)
    else await messaging.goOffline(user)
    return { status }
  })
}
