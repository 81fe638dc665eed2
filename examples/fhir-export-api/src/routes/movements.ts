import type { FhirExportCache } from '@cachette/fhir-export'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { sqlState, type Database } from '../db/database.js'
import { insertMovement, type MovementResult } from '../db/venue-repository.js'
import { bumpVersions } from '../db/versions.js'
import type { FhirBundle } from '../fhir/bundle.js'
import { invalid, invalidateAfterCommit, WriteRefused } from './write-support.js'

const FHIR_ID = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'expected a FHIR id')

const MovementBody = z.strictObject({
  venueId: FHIR_ID,
  locationId: FHIR_ID,
  start: z.iso.datetime({ offset: true }),
})

const REFUSALS: Readonly<Record<Extract<MovementResult, { ok: false }>['reason'], readonly [404 | 422, string]>> = {
  'unknown-venue': [404, 'Venue inconnue'],
  'unknown-location': [422, 'Le lieu n’est pas une unité ou un lit de l’entité juridique de la venue'],
  'before-venue': [422, 'Le mouvement commence avant la venue'],
  'before-current-movement': [422, 'Le mouvement commence avant le mouvement en cours'],
}

/**
 * `POST /movements`: a patient moves (the venue's current movement ends when the new one starts).
 * The movement and the venues version commit together; then seed 002's rule drops every venues
 * export (`movementChanged()`: `fhir:export:venues:ej:*`).
 *
 * @example
 * ```ts
 * registerMovementRoutes(app, { db, exports })
 * ```
 */
export function registerMovementRoutes(app: FastifyInstance, { db, exports }: { db: Database; exports: FhirExportCache<FhirBundle> }): void {
  app.post('/movements', async (request, reply) => {
    const parsed = MovementBody.safeParse(request.body)
    if (!parsed.success) return invalid(reply, parsed.error)
    let movement
    try {
      movement = await db.transaction(async (tx) => {
        const result = await insertMovement(tx, parsed.data)
        if (!result.ok) {
          const [status, answer] = REFUSALS[result.reason]
          throw new WriteRefused(status, answer)
        }
        await bumpVersions(tx, result.ejId, ['venues'])
        return result.movement
      })
    } catch (error) {
      if (error instanceof WriteRefused) return reply.code(error.status).send({ error: error.answer })
      // A date-time of the right shape that is not a real one (2025-02-30T…): refused by PostgreSQL.
      if (sqlState(error) === '22008' || sqlState(error) === '22007') return reply.code(400).send({ error: 'Requête invalide', details: ['start: not a valid date-time'] })
      throw error
    }
    // After the commit: a request in between would otherwise cache the old venues again.
    const cache = await invalidateAfterCommit(request.log, () => exports.movementChanged())
    return reply.code(201).send({ movement, cache })
  })
}
