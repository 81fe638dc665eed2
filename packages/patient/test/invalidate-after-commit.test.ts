import { describe, expect, it } from 'vitest'
import { PatientSchema } from '../src/index.js'
import { keyContent, patientFixture, randomCode, seedPatient } from './support/fixtures.js'

describe('invalidateAfterCommit', () => {
  it('invalidates only once the transaction has committed', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    const key = patients.keyOf(code)
    let presentDuringTransaction: number | undefined
    const result = await patients.invalidateAfterCommit(code, async () => {
      presentDuringTransaction = await driver.exists([key])
      return 'committed'
    })
    expect(presentDuringTransaction).toBe(1)
    expect(result).toBe('committed')
    // The HASH is replaced by the fence's tombstone (a miss for every reader).
    expect(await keyContent(driver, key)).toBe('tombstone')
    expect(await patients.get(code)).toBeUndefined()
    expect(patients.stats().invalidations).toBe(1)
  })

  it('leaves the cached record exactly as it was when the transaction rolls back', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    const key = patients.keyOf(code)
    const before = await driver.hgetall(key)
    const ttlBefore = await driver.pttl(key)
    const rollback = new Error('constraint violated')
    await expect(patients.invalidateAfterCommit(code, async () => Promise.reject(rollback))).rejects.toBe(rollback)
    expect(await driver.hgetall(key)).toEqual(before)
    expect(await driver.pttl(key)).toBe(ttlBefore)
    expect(patients.stats().invalidations).toBe(0)
  })

  it('with an after-commit hook: nothing on rollback, invalidation when the hook fires', async () => {
    const { patients, driver } = patientFixture()
    const code = randomCode()
    await patients.warm(seedPatient({ code_patient: code }))
    const hooks: (() => unknown)[] = []
    patients.invalidateAfterCommit(code, { afterCommit: (callback) => hooks.push(callback) })
    expect(await keyContent(driver, patients.keyOf(code))).toBe('hash')
    await Promise.all(hooks.map((hook) => hook()))
    expect(await keyContent(driver, patients.keyOf(code))).toBe('tombstone')
  })

  it('checks the codes before running the transaction', async () => {
    const { patients } = patientFixture()
    let ran = false
    await expect(patients.invalidateAfterCommit(['ok', 'bad code'], async () => (ran = true))).rejects.toMatchObject({ code: 'INVALID_KEY' })
    expect(ran).toBe(false)
  })

  it('a load that read the database before the commit does not re-cache the old record', async () => {
    const { patients } = patientFixture()
    const code = randomCode()
    const old = seedPatient({ code_patient: code, nom: 'ANCIEN' })
    let releaseLoad!: () => void
    const loadGate = new Promise<void>((resolve) => (releaseLoad = resolve))
    const slowRead = patients.getByCode(code, async () => {
      await loadGate
      return old
    })
    await patients.invalidateAfterCommit(code, async () => 'committed')
    releaseLoad()
    expect((await slowRead)?.nom).toBe('ANCIEN')
    const fresh = await patients.getByCode(code, async () => seedPatient({ code_patient: code, nom: 'NOUVEAU' }))
    expect(fresh?.nom).toBe('NOUVEAU')
    expect((await patients.get(code))?.nom).toBe('NOUVEAU')
  })

  it('invalidates several codes after one commit', async () => {
    const { patients } = patientFixture()
    const codes = [randomCode(), randomCode()]
    for (const code of codes) await patients.warm(seedPatient({ code_patient: code }))
    await patients.invalidateAfterCommit(codes, async () => undefined)
    for (const code of codes) expect(await patients.get(code)).toBeUndefined()
    expect(PatientSchema.safeParse(seedPatient()).success).toBe(true)
  })
})
