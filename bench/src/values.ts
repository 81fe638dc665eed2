/**
 * The two value shapes every scenario runs on: a patient record of about 1 KB (what seed 000/001
 * caches per patient) and a FHIR searchset Bundle of about 100 KB (what seed 002 caches per export).
 * Both are plain JSON, built deterministically so every run and every contender caches the same bytes.
 */

/** A value shape: a name for the report, the value, and its JSON size in bytes. */
export interface ValueShape {
  readonly id: 'patient' | 'bundle'
  readonly label: string
  readonly value: unknown
  readonly jsonBytes: number
}

function patientRecord(index: number): Record<string, unknown> {
  return {
    code_patient: `P${String(100_000 + index).padStart(8, '0')}`,
    ins: `2${String(840_750_000_000 + index * 7919).slice(0, 12)}`,
    nom: 'DUPONT-MARTIN',
    nom_naissance: 'MARTIN',
    prenoms: ['Jeanne', 'Marie', 'Louise'],
    date_naissance: '1957-03-14',
    sexe: 'F',
    lieu_naissance: { commune: 'Lyon 3e Arrondissement', code_insee: '69383', pays: 'FRANCE' },
    adresse: { ligne1: '12 rue de la République', ligne2: 'Bâtiment B, 3e étage', code_postal: '69002', ville: 'Lyon', pays: 'FRANCE' },
    telephones: [
      { type: 'mobile', numero: '+33 6 12 34 56 78' },
      { type: 'domicile', numero: '+33 4 78 00 00 00' },
    ],
    email: 'jeanne.dupont-martin@example.org',
    medecin_traitant: { rpps: '10003456789', nom: 'Dr Bernard LEFEBVRE', specialite: 'Médecine générale' },
    etablissement: { finess: '690781810', libelle: 'Centre hospitalier de démonstration' },
    allergies: [
      { code: 'PENICILLINE', severite: 'élevée', depuis: '1998-06-01' },
      { code: 'ARACHIDE', severite: 'modérée', depuis: '2004-11-20' },
    ],
    groupe_sanguin: 'A+',
    consentements: { partage_dmp: true, recherche: false, sms: true },
    statut: 'ACTIF',
    created_at: '2019-04-02T08:15:00.000Z',
    updated_at: '2026-01-15T16:42:10.000Z',
    version: 17,
  }
}

function bundleEntry(index: number): Record<string, unknown> {
  const id = `enc-${index}`
  return {
    fullUrl: `https://fhir.example.org/Encounter/${id}`,
    resource: {
      resourceType: 'Encounter',
      id,
      meta: { versionId: String(1 + (index % 5)), lastUpdated: '2026-01-15T16:42:10.000Z' },
      status: index % 7 === 0 ? 'in-progress' : 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' },
      subject: { reference: `Patient/P${String(100_000 + index).padStart(8, '0')}` },
      period: { start: '2026-01-10T09:30:00+01:00', end: '2026-01-14T11:00:00+01:00' },
      location: [{ location: { reference: `Location/UF-${1000 + (index % 40)}`, display: `Unité fonctionnelle ${index % 40}` }, status: 'completed' }],
      serviceProvider: { reference: 'Organization/690781810' },
    },
    search: { mode: 'match' },
  }
}

function bundle(targetBytes: number): Record<string, unknown> {
  const entry: unknown[] = []
  const head = { resourceType: 'Bundle', id: 'export-venues-ej-1', type: 'searchset', timestamp: '2026-01-15T16:42:10.000Z', total: 0, entry }
  let bytes = JSON.stringify(head).length
  while (bytes < targetBytes) {
    const next = bundleEntry(entry.length)
    bytes += JSON.stringify(next).length + 1
    entry.push(next)
  }
  head.total = entry.length
  return head
}

function shape(id: ValueShape['id'], label: string, value: unknown): ValueShape {
  return { id, label, value, jsonBytes: Buffer.byteLength(JSON.stringify(value)) }
}

const built = new Map<number, readonly ValueShape[]>()

/**
 * The ~1 KB patient record and the FHIR bundle of `bundleBytes` (100 KB in the full run, smaller
 * in the smoke run, which only checks that nothing rotted), built once per size.
 *
 * @example
 * ```ts
 * for (const shape of valueShapes(100_000)) console.log(shape.label, shape.jsonBytes)
 * ```
 */
export function valueShapes(bundleBytes: number): readonly ValueShape[] {
  let shapes = built.get(bundleBytes)
  if (shapes === undefined) {
    shapes = [shape('patient', 'patient record', patientRecord(1)), shape('bundle', 'FHIR bundle', bundle(bundleBytes))]
    built.set(bundleBytes, shapes)
  }
  return shapes
}

/** A tiny value, for scenarios whose cost does not depend on the value (tags, deletePattern). */
export const tinyValue = { ok: 1 }
