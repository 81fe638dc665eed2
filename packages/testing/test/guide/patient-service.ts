import { defineKey, type Cache } from '@cachette/core'

export interface Patient {
  readonly id: number
  readonly name: string
}

export interface PatientDb {
  loadPatient(id: number): Promise<Patient>
  renamePatient(id: number, name: string): Promise<void>
}

const patientKey = defineKey('patient:{id}', { ttl: '10m' })

/** The application code under test: it gets its cache injected, and never makes one. */
export function createPatientService(cache: Cache, db: PatientDb) {
  return {
    getPatient: (id: number) => cache.getOrSet(patientKey({ id }), () => db.loadPatient(id)),
    async renamePatient(id: number, name: string) {
      await db.renamePatient(id, name)
      await cache.invalidate(patientKey({ id })) // after the commit
    },
  }
}
