import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/database.js'
import { insertPatient } from '../src/db/patient-repository.js'
import { pgliteDatabase } from '../src/db/pglite-database.js'
import { migrate } from '../src/db/schema.js'

let db: Database
let next = 0

beforeAll(async () => {
  db = await pgliteDatabase()
  await migrate(db)
})

afterAll(async () => {
  await db?.close()
})

async function newCode(): Promise<string> {
  next++
  const row = await insertPatient(db, { nom: `Code ${next}`, prenoms: 'Test', date_naissance: '1990-01-01', sexe: 'F' }, { etablissement: '880e8400-e29b-41d4-a716-446655440004', fingerprint: `fp-${next}` })
  return row.code_patient
}

describe("patient codes (seed 000's CI-YYYYMMDD-NNNNN)", () => {
  it('pads the sequence number to 5 digits', async () => {
    expect(await newCode()).toMatch(/^CI-\d{8}-00001$/)
    expect(await newCode()).toMatch(/^CI-\d{8}-00002$/)
  })

  it('grows past 5 digits without cutting the number (lpad alone truncates 100001 to 10000)', async () => {
    await db.query("SELECT setval('patients_patient_code_seq', 99998)")
    const codes: string[] = []
    for (let index = 0; index < 13; index++) codes.push(await newCode())
    expect(codes.map((code) => code.slice(12))).toEqual(['99999', ...Array.from({ length: 12 }, (_, index) => String(100_000 + index))])
    await db.query("SELECT setval('patients_patient_code_seq', 9999999998)")
    expect((await newCode()).slice(12)).toBe('9999999999')
    expect((await newCode()).slice(12)).toBe('10000000000')
  })
})
