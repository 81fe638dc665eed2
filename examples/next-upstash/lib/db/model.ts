import * as z from 'zod'

/**
 * The seed's two listed resources. FMPA (formations de maintien et de perfectionnement des
 * acquis) are filtered by `type`, formations by `category`; both by `status`.
 */
export const RESOURCES = ['fmpa', 'formations'] as const
export type Resource = (typeof RESOURCES)[number]

export const STATUSES = ['PLANNED', 'ACTIVE', 'COMPLETED', 'CANCELLED'] as const
export type Status = (typeof STATUSES)[number]

/** The column each resource's `kind` filter reads. */
export const KIND_COLUMN: Record<Resource, 'type' | 'category'> = { fmpa: 'type', formations: 'category' }

export interface Item {
  readonly id: number
  readonly tenantId: string
  readonly title: string
  /** FMPA type or formation category. */
  readonly kind: string
  readonly status: Status
  readonly startsOn: string
  readonly location: string
  readonly updatedAt: string
}

export interface Page {
  readonly items: readonly Item[]
  readonly pagination: { readonly page: number; readonly limit: number; readonly total: number; readonly pages: number }
}

export interface UserProfile {
  readonly id: string
  readonly tenantId: string
  readonly name: string
  readonly role: string
  readonly updatedAt: string
}

export interface DashboardStats {
  readonly tenantId: string
  readonly fmpaByStatus: Readonly<Record<string, number>>
  readonly formationsByStatus: Readonly<Record<string, number>>
  readonly upcoming: number
  readonly computedAt: string
}

/**
 * A list request's filters, parsed from the query string. Defaults are applied here so that
 * `?status=ACTIVE` and `?status=ACTIVE&page=1&limit=50` are one filter object, hence one entry.
 */
export const listFiltersSchema = z.strictObject({
  status: z.enum(STATUSES).optional(),
  kind: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).optional(),
  page: z.coerce.number().int().min(1).max(1_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
})
export type ListFilters = z.infer<typeof listFiltersSchema>

export const itemInputSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  kind: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  status: z.enum(STATUSES).default('PLANNED'),
  startsOn: z.iso.date(),
  location: z.string().trim().min(1).max(200),
})
export type ItemInput = z.infer<typeof itemInputSchema>
export const itemPatchSchema = itemInputSchema.partial().refine((patch) => Object.keys(patch).length > 0, 'an empty patch changes nothing')
export type ItemPatch = z.infer<typeof itemPatchSchema>

export const profilePatchSchema = z.strictObject({ name: z.string().trim().min(1).max(120).optional(), role: z.string().trim().min(1).max(60).optional() })
export type ProfilePatch = z.infer<typeof profilePatchSchema>

/** Tenant and user ids as the seed's `auth()` session gives them (here: request headers). */
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)

/** A TTA entry (temps de travail additionnel): hours a user logged on a day. */
export interface TtaEntry {
  readonly id: number
  readonly userId: string
  readonly day: string
  readonly hours: number
  readonly activity: string
}

export const ttaInputSchema = z.strictObject({
  day: z.iso.date(),
  hours: z.number().int().min(1).max(24),
  activity: z.string().regex(/^[a-z_-]{1,40}$/),
})
export type TtaInput = z.infer<typeof ttaInputSchema>
