import type { Patient, PatientDb } from './patient-service.js'

/** An in-memory database that counts its reads: the number of loads is what the cache saves. */
export interface FakeDb extends PatientDb {
  reads: number
  /** Set to true to make every read fail. */
  down: boolean
}

export function createFakeDb(patients: Patient[] = [{ id: 1, name: 'Ada' }]): FakeDb {
  const rows = new Map(patients.map((patient) => [patient.id, patient]))
  const db: FakeDb = {
    reads: 0,
    down: false,
    async loadPatient(id) {
      db.reads++
      if (db.down) throw new Error('database unreachable')
      const row = rows.get(id)
      if (row === undefined) throw new Error('no such patient')
      return row
    },
    async renamePatient(id, name) {
      rows.set(id, { id, name })
    },
  }
  return db
}
