import { describe, expect, it, vi } from 'vitest'
import { MAX_SEARCH_RESULTS, PATIENT_SEARCH_SQL, searchPatients } from '../src/index.js'
import { patientFixture } from './support/fixtures.js'

describe('patient search', () => {
  it('goes to the source every time and never touches the store', async () => {
    const { patients, driver } = patientFixture()
    const source = vi.fn(async () => [{ code_patient: 'CI-1' }])
    await patients.search('kouadio', source)
    await patients.search('kouadio', source)
    expect(source).toHaveBeenCalledTimes(2)
    expect(Object.keys(driver.calls)).toEqual([])
    expect(patients.stats()).toMatchObject({ searches: 2, hits: 0, misses: 0 })
  })

  it('normalizes the term, clamps the limit to 50, and answers [] for a blank term without a query', async () => {
    const source = vi.fn(async () => [])
    await searchPatients('  jean \n baptiste ', source, { limit: 500 })
    expect(source).toHaveBeenCalledWith({ term: 'jean baptiste', limit: MAX_SEARCH_RESULTS })
    await searchPatients('x', source, { limit: 0 })
    expect(source).toHaveBeenLastCalledWith({ term: 'x', limit: 1 })
    expect(await searchPatients('   ', source)).toEqual([])
    expect(source).toHaveBeenCalledTimes(2)
  })

  it("ships seed 000's query: search_vector with the french configuration, active patients, LIMIT", () => {
    expect(PATIENT_SEARCH_SQL).toContain("search_vector @@ plainto_tsquery('french', $1)")
    expect(PATIENT_SEARCH_SQL).toContain("statut = 'actif'")
    expect(PATIENT_SEARCH_SQL).toContain('LIMIT $2')
  })
})
