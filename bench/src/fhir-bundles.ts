/**
 * FHIR searchset Bundles of Encounter resources with the variety of a real export: every entry
 * has its own UUIDs, identifiers, dates, patient, practitioner, codes and lengths of stay, drawn
 * from a seeded generator, so every run builds the same bytes. The bundle of `values.ts` repeats
 * one entry with a counter in it, which gzip squeezes 36-fold: right for timing a parse, far too
 * kind to a compressor. This one compresses about as much as an export of real records: gzip
 * about 10-fold, where the repeated entry gives 36-fold (docs/benchmarks.md).
 */

/** mulberry32: a small seeded generator (32-bit state), plenty for test data. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const GIVEN = ['Jeanne', 'Marie', 'Louise', 'Awa', 'Fatou', 'Aminata', 'Kouassi', 'Yao', 'Koffi', 'Jean', 'Pierre', 'Moussa', 'Ibrahim', 'Claire', 'Sophie', 'Nadia', 'Karim', 'Léa', 'Hugo', 'Chloé']
const FAMILY = ['KOUADIO', 'DUPONT-MARTIN', 'TRAORE', 'DIALLO', 'KONAN', 'BERNARD', 'LEFEBVRE', 'N\'GUESSAN', 'COULIBALY', 'OUATTARA', 'MOREAU', 'GIRARD', 'BAMBA', 'TOURE', 'FOFANA', 'LAMBERT', 'ROUSSEAU', 'YAPI']
const ENCOUNTER_TYPES: readonly (readonly [string, string])[] = [
  ['185347001', 'Encounter for problem'],
  ['11429006', 'Consultation'],
  ['390906007', 'Follow-up encounter'],
  ['50849002', 'Emergency room admission'],
  ['183452005', 'Emergency hospital admission'],
  ['32485007', 'Hospital admission'],
  ['305408004', 'Admission to surgical department'],
  ['270427003', 'Patient-initiated encounter'],
  ['308335008', 'Patient encounter procedure'],
  ['424441002', 'Prenatal initial visit'],
]
const REASONS: readonly (readonly [string, string])[] = [
  ['I10', 'Hypertension essentielle (primitive)'],
  ['E11.9', 'Diabète sucré de type 2, sans complication'],
  ['J18.9', 'Pneumopathie, sans précision'],
  ['B54', 'Paludisme, sans précision'],
  ['O80', 'Accouchement unique et spontané'],
  ['K35.8', 'Appendicite aiguë, autre et sans précision'],
  ['S72.0', 'Fracture du col du fémur'],
  ['N39.0', 'Infection des voies urinaires, siège non précisé'],
  ['A09', 'Diarrhée et gastro-entérite d\'origine présumée infectieuse'],
  ['I21.9', 'Infarctus aigu du myocarde, sans précision'],
  ['J45.9', 'Asthme, sans précision'],
  ['D50.9', 'Anémie par carence en fer, sans précision'],
]
const CLASSES: readonly (readonly [string, string])[] = [
  ['IMP', 'inpatient encounter'],
  ['AMB', 'ambulatory'],
  ['EMER', 'emergency'],
  ['HH', 'home health'],
]
const STATUSES = ['finished', 'finished', 'finished', 'in-progress', 'cancelled', 'planned']
const DISCHARGE: readonly (readonly [string, string])[] = [
  ['home', 'Home'],
  ['other-hcf', 'Other healthcare facility'],
  ['hosp', 'Hospice'],
  ['exp', 'Expired'],
]
const FINESS = ['690781810', '130783236', '750712184', '330781196', '310781406', '590780193']

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T
}

function uuid(random: () => number): string {
  let hex = ''
  for (let i = 0; i < 32; i++) hex += Math.floor(random() * 16).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function digits(random: () => number, count: number): string {
  let text = ''
  for (let i = 0; i < count; i++) text += Math.floor(random() * 10)
  return text
}

function person(random: () => number): string {
  return `${pick(random, GIVEN)} ${pick(random, FAMILY)}`
}

function encounterEntry(random: () => number): Record<string, unknown> {
  const id = uuid(random)
  // Between 2025-01-01 and 2026-01-01, to the second.
  const startMs = Date.UTC(2025, 0, 1) + Math.floor(random() * 365 * 86_400) * 1_000
  const minutes = 15 + Math.floor(random() * 60 * 24 * (random() < 0.3 ? 12 : 1))
  const start = new Date(startMs).toISOString().replace('.000Z', '+00:00')
  const end = new Date(startMs + minutes * 60_000).toISOString().replace('.000Z', '+00:00')
  const [typeCode, typeDisplay] = pick(random, ENCOUNTER_TYPES)
  const [reasonCode, reasonDisplay] = pick(random, REASONS)
  const [classCode, classDisplay] = pick(random, CLASSES)
  const [dischargeCode, dischargeDisplay] = pick(random, DISCHARGE)
  const unit = 1000 + Math.floor(random() * 120)
  const period = { start, end }
  return {
    fullUrl: `urn:uuid:${id}`,
    resource: {
      resourceType: 'Encounter',
      id,
      meta: {
        versionId: String(1 + Math.floor(random() * 9)),
        lastUpdated: new Date(startMs + Math.floor(random() * 30 * 86_400_000)).toISOString(),
        profile: ['http://interopsante.org/fhir/StructureDefinition/FrEncounter'],
      },
      identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: digits(random, 10) }],
      status: pick(random, STATUSES),
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: classCode, display: classDisplay },
      type: [{ coding: [{ system: 'http://snomed.info/sct', code: typeCode, display: typeDisplay }] }],
      subject: { reference: `Patient/${digits(random, 9)}`, display: person(random) },
      participant: [
        {
          type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'ATND', display: 'attender' }] }],
          period,
          individual: { reference: `Practitioner/${digits(random, 11)}`, display: `Dr ${person(random)}` },
        },
      ],
      period,
      length: { value: minutes, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' },
      reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: reasonCode, display: reasonDisplay }] }],
      diagnosis: [{ condition: { reference: `Condition/${uuid(random)}` }, rank: 1 }],
      hospitalization: { dischargeDisposition: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/discharge-disposition', code: dischargeCode, display: dischargeDisplay }] } },
      location: [{ location: { reference: `Location/UF-${unit}`, display: `Unité fonctionnelle ${unit}` }, status: 'completed', period }],
      serviceProvider: { reference: `Organization/${pick(random, FINESS)}` },
    },
    search: { mode: 'match' },
  }
}

/**
 * A searchset Bundle of varied Encounter entries, just over `targetBytes` of JSON; the same
 * bytes on every call with the same arguments.
 *
 * @example
 * ```ts
 * const oneMegabyte = variedEncounterBundle(1_000_000)
 * ```
 */
export function variedEncounterBundle(targetBytes: number, seed = 2025): Record<string, unknown> {
  const random = seeded(seed)
  const entry: unknown[] = []
  const head = { resourceType: 'Bundle', id: uuid(random), type: 'searchset', timestamp: '2026-01-15T16:42:10.000Z', total: 0, entry }
  let bytes = JSON.stringify(head).length
  while (bytes < targetBytes) {
    const next = encounterEntry(random)
    bytes += Buffer.byteLength(JSON.stringify(next)) + 1
    entry.push(next)
  }
  head.total = entry.length
  return head
}
