/**
 * A stand-in for the source of truth, slow on purpose so the demo shows what a hit saves.
 * In a real service these are PostgreSQL or FHIR calls (see examples/patient-api).
 */

/** How many times the "database" was asked, so the demo can show what the cache spared it. */
export const sourceCalls = { count: 0 }

const SOURCE_LATENCY_MS = 20

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export async function loadPatientFromDatabase(id: number) {
  sourceCalls.count++
  await sleep(SOURCE_LATENCY_MS)
  return { id, nom: id === 42 ? 'KOUADIO' : `PATIENT-${id}`, prenoms: 'Jean Baptiste Marie', statut: 'actif' as const }
}

export async function listFmpaFromDatabase(tenantId: string, status: string) {
  sourceCalls.count++
  await sleep(SOURCE_LATENCY_MS)
  return { tenantId, status, fmpas: [{ id: 1, titre: 'Formation incendie' }], total: 1 }
}
