import type { FastifyInstance } from 'fastify'
import { UnknownLegalEntityError, type ExportService } from '../export-service.js'
import { EXPORT_TYPES, isExportType } from '../export-types.js'
import { etagOf, matchesIfNoneMatch } from './conditional-get.js'

// A legal entity id: a positive integer (it becomes a key segment: nothing else reaches the cache).
const EJ_ID = /^[1-9]\d{0,8}$/

/**
 * `GET /fhir/export/:type?ej=<id>`: the export as a FHIR R4 Bundle, from the cache (seed 002's
 * `fhir:export:{type}:ej:{ej}`) or built from the database, with an ETag from its version and a
 * 304 when `If-None-Match` names it.
 *
 * @example
 * ```ts
 * registerExportRoutes(app, { service })
 * ```
 */
export function registerExportRoutes(app: FastifyInstance, { service }: { service: ExportService }): void {
  app.get<{ Params: { type: string }; Querystring: Record<string, unknown> }>('/fhir/export/:type', async (request, reply) => {
    const { type } = request.params
    if (!isExportType(type)) return reply.code(404).send({ error: 'Type d’export inconnu', types: EXPORT_TYPES })
    const ej = request.query['ej']
    if (typeof ej !== 'string' || !EJ_ID.test(ej)) return reply.code(400).send({ error: 'Paramètre ej invalide : l’identifiant d’une entité juridique (entier positif)' })
    const ejId = Number(ej)
    let bundle
    try {
      bundle = await service.bundle(type, ejId)
    } catch (error) {
      if (error instanceof UnknownLegalEntityError) return reply.code(404).send({ error: 'Entité juridique inconnue' })
      throw error
    }
    const etag = etagOf(type, ejId, bundle)
    // Clients may keep the export, and must ask again (with its ETag) before using it.
    void reply.header('cache-control', 'no-cache')
    if (etag !== undefined) {
      void reply.header('etag', etag)
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send()
    }
    return reply.type('application/fhir+json; charset=utf-8').send(bundle)
  })
}
