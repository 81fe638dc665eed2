import type { FastifyInstance } from 'fastify'
import type { AppCaches } from '../caches.js'
import type { Database } from '../db/database.js'
import { computeDashboard, loadProfessional } from '../db/directory-repository.js'

/**
 * Seed 001's other cached endpoints: professionals (10 min) and the dashboard (5 min).
 *
 * @example
 * ```ts
 * registerDirectoryRoutes(app, { db, caches })
 * ```
 */
export function registerDirectoryRoutes(app: FastifyInstance, { db, caches }: { db: Database; caches: AppCaches }): void {
  app.get<{ Params: { id: string } }>('/professionals/:id', async (request, reply) => {
    if (!/^[1-9]\d{0,8}$/.test(request.params.id)) return reply.code(400).send({ error: 'Identifiant invalide' })
    const id = Number(request.params.id)
    const professional = await caches.professionals.getById(id, () => loadProfessional(db, id))
    if (professional === undefined) return reply.code(404).send({ error: 'Professionnel introuvable' })
    return professional
  })

  app.get('/statistics/dashboard', async () => caches.dashboard.get(() => computeDashboard(db)))
}
