import type { FhirExportCache } from '@cachette/fhir-export'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Database } from '../db/database.js'
import { updateStructure } from '../db/structure-repository.js'
import { bumpVersions } from '../db/versions.js'
import type { FhirBundle } from '../fhir/bundle.js'
import { invalid, invalidateAfterCommit, WriteRefused } from './write-support.js'

const EJ_ID = /^[1-9]\d{0,8}$/
const text = (max: number) => z.string().trim().min(1).max(max).refine((value) => !value.includes('\u0000'), 'must not contain a NUL character')

const StructureBody = z
  .strictObject({
    name: text(200).optional(),
    locations: z
      .array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'expected a FHIR id'), name: text(200).optional(), active: z.boolean().optional() }))
      .min(1)
      .max(500)
      .optional(),
  })
  .refine((changes) => changes.name !== undefined || changes.locations !== undefined, 'nothing to change')

/**
 * `PUT /structures/:ej`: renames the legal entity and/or its locations (or closes one:
 * `active: false`). The changes and the structure version commit together; then seed 002's rule
 * drops that legal entity's structure export only (`structureChanged(ej)`): patients and venues
 * refer to the organization and the locations by id, which does not change.
 *
 * @example
 * ```ts
 * registerStructureRoutes(app, { db, exports })
 * ```
 */
export function registerStructureRoutes(app: FastifyInstance, { db, exports }: { db: Database; exports: FhirExportCache<FhirBundle> }): void {
  app.put<{ Params: { ej: string } }>('/structures/:ej', async (request, reply) => {
    if (!EJ_ID.test(request.params.ej)) return reply.code(400).send({ error: 'Identifiant d’entité juridique invalide' })
    const ejId = Number(request.params.ej)
    const parsed = StructureBody.safeParse(request.body)
    if (!parsed.success) return invalid(reply, parsed.error)
    try {
      await db.transaction(async (tx) => {
        if (!(await updateStructure(tx, ejId, parsed.data))) throw new WriteRefused(404, 'Entité juridique ou lieu inconnu ; rien n’a changé')
        await bumpVersions(tx, ejId, ['structure'])
      })
    } catch (error) {
      if (error instanceof WriteRefused) return reply.code(error.status).send({ error: error.answer })
      throw error
    }
    const cache = await invalidateAfterCommit(request.log, () => exports.structureChanged(ejId))
    return reply.send({ ej: ejId, cache })
  })
}
