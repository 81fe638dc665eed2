import type { PatientIdentity } from '@cachette/patient'
import type { Queryable } from './database.js'

/** Seed 000's example patient and an inactive one (for the 403 of the access middleware). */
const DEMO_PATIENTS = [
  {
    code_patient: 'CI-20250108-00001',
    nom: 'KOUADIO',
    prenoms: 'Jean Baptiste Marie',
    date_naissance: '1985-06-15',
    sexe: 'M',
    nationalite_id: '660e8400-e29b-41d4-a716-446655440002',
    situation_matrimoniale_id: '770e8400-e29b-41d4-a716-446655440003',
    telephone_principal: '+225 07 12 34 56 78',
    telephone_secondaire: '+225 01 98 76 54 32',
    email: 'jean.kouadio@example.com',
    adresse_complete: 'Cocody, Angré 8ème tranche, Villa 123',
    ville: 'Abidjan',
    commune: 'Cocody',
    est_assure: true,
    statut: 'actif',
    assurances: [{ id: '990e8400-e29b-41d4-a716-446655440005', nom: 'MUGEF-CI', numero: 'MUGEF-2024-12345', type: 'principal' }],
  },
  {
    code_patient: 'CI-20250108-00002',
    nom: 'KONÉ',
    prenoms: 'Awa',
    date_naissance: '1972-01-30',
    sexe: 'F',
    nationalite_id: null,
    situation_matrimoniale_id: null,
    telephone_principal: '+225 05 55 55 55 55',
    telephone_secondaire: null,
    email: null,
    adresse_complete: 'Yopougon',
    ville: 'Abidjan',
    commune: 'Yopougon',
    est_assure: false,
    statut: 'inactif',
    assurances: [],
  },
] as const

const DEMO_PROFESSIONALS = [
  { id: 123, nom: 'YAO', prenoms: 'Affoué', specialite: 'pédiatrie' },
  { id: 124, nom: 'TRAORÉ', prenoms: 'Moussa', specialite: 'cardiologie' },
] as const

/**
 * Inserts the demo rows when the tables are empty, so `pnpm start` has something to show.
 *
 * @example
 * ```ts
 * await insertDemoData(db, etablissement, (identity) => patients.identityFingerprint(identity))
 * ```
 */
export async function insertDemoData(db: Queryable, etablissement: string, fingerprint: (identity: PatientIdentity) => string): Promise<void> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM patients_patient')
  if ((rows[0]?.n ?? 0) > 0) return
  for (const p of DEMO_PATIENTS) {
    await db.query(
      `INSERT INTO patients_patient (code_patient, nom, prenoms, date_naissance, sexe, nationalite_id, situation_matrimoniale_id,
         telephone_principal, telephone_secondaire, email, adresse_complete, ville, commune, etablissement_createur_id, est_assure,
         statut, assurances, cle_doublon)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18)`,
      [p.code_patient, p.nom, p.prenoms, p.date_naissance, p.sexe, p.nationalite_id, p.situation_matrimoniale_id, p.telephone_principal, p.telephone_secondaire, p.email, p.adresse_complete, p.ville, p.commune, etablissement, p.est_assure, p.statut, JSON.stringify(p.assurances), fingerprint(p)],
    )
  }
  for (const pro of DEMO_PROFESSIONALS) {
    await db.query('INSERT INTO identity_professional (id, nom, prenoms, specialite, etablissement_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING', [
      pro.id,
      pro.nom,
      pro.prenoms,
      pro.specialite,
      etablissement,
    ])
  }
}
