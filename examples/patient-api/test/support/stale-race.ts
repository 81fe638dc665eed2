import { expect } from 'vitest'
import type { Database } from '../../src/db/database.js'
import { uniqueName } from './api-suite.js'
import type { AppInstance } from './cache-outage.js'

/**
 * The database as an instance across a network sees it: each answer arrives `latencyMs` after the
 * server gave it. On one machine, the reader's load (read the row, then write the cache) is
 * otherwise so short that the race shows in only a few rounds of 150.
 */
export function withLatency(db: Database, latencyMs: number): Database {
  const delayed = async <T>(answer: Promise<T>): Promise<T> => {
    const result = await answer
    await new Promise((resolve) => setTimeout(resolve, latencyMs))
    return result
  }
  return {
    kind: db.kind,
    query: (text, params) => delayed(db.query(text, params)),
    transaction: (work) => delayed(db.transaction(work)),
    close: () => db.close(),
  }
}

/** What {@link runStaleRace} measured. */
export interface StaleRaceResult {
  readonly rounds: number
  /** Rounds after which at least one instance served another `ville` than the database's. */
  readonly staleRounds: number
  /** GETs instance B answered during the PATCHes, all rounds together. */
  readonly racingGets: number
}

/** Options of {@link runStaleRace}. */
export interface StaleRaceOptions {
  /** Where the PATCHes go. */
  readonly writer: AppInstance
  /** Where the GET loops run. */
  readonly reader: AppInstance
  /** Read directly at the end of each round: the truth both instances must agree with. */
  readonly db: Database
  /** @default 150 */
  readonly rounds?: number
  /** Concurrent PATCHes per round. @default 5 */
  readonly patches?: number
  /** Concurrent GET loops on the reader while the PATCHes run. @default 10 */
  readonly getLoops?: number
}

/**
 * Issue 11's race, between two instances of the app: the writer PATCHes one patient several times
 * at once (each PATCH commits, then invalidates), while the reader serves GETs of it in loops, each
 * miss loading the row and writing it to the shared cache. Once every PATCH has answered, the loops
 * stop; a GET on each instance must then give the row the database holds. A reader's load that read
 * the row before a commit and wrote it after that commit's invalidation leaves the old row cached
 * for the whole TTL: that round is stale.
 */
export async function runStaleRace(options: StaleRaceOptions): Promise<StaleRaceResult> {
  const { writer, reader, db, rounds = 150, patches = 5, getLoops = 10 } = options
  const created = await writer.app.inject({
    method: 'POST',
    url: '/patients',
    payload: { nom: uniqueName('Yao'), prenoms: 'Akissi', date_naissance: '1988-08-08', sexe: 'F', ville: 'Abidjan' },
  })
  expect(created.statusCode).toBe(201)
  const code = (created.json() as { code_patient: string }).code_patient
  const url = `/patients/${code}`
  let staleRounds = 0
  let racingGets = 0
  for (let round = 0; round < rounds; round++) {
    let patching = true
    const loops = Array.from({ length: getLoops }, async () => {
      while (patching) {
        const response = await reader.app.inject({ method: 'GET', url })
        expect(response.statusCode).toBe(200)
        racingGets++
      }
    })
    // Every PATCH of a round writes its own value: whichever commits last is the database's.
    const answers = await Promise.all(Array.from({ length: patches }, (_, index) => writer.app.inject({ method: 'PATCH', url, payload: { ville: `Ville ${round}-${index}` } })))
    for (const answer of answers) expect(answer.statusCode).toBe(200)
    patching = false
    await Promise.all(loops)

    const { rows } = await db.query<{ ville: string }>('SELECT ville FROM patients_patient WHERE code_patient = $1', [code])
    const truth = rows[0]?.ville
    const served = await Promise.all([writer, reader].map(async (instance) => (await instance.app.inject({ method: 'GET', url })).json() as { ville: string }))
    if (served.some((patient) => patient.ville !== truth)) staleRounds++
  }
  return { rounds, staleRounds, racingGets }
}
