import type { DashboardStats, Item, ItemInput, ItemPatch, ListFilters, Page, ProfilePatch, Resource, TtaEntry, TtaInput, UserProfile } from './model'

/** What a list route needs of the database: the only query the Edge routes send (through the data API). */
export interface ListSource {
  list(resource: Resource, tenantId: string, filters: ListFilters): Promise<Page>
}

/** The source of truth: PGlite (embedded, the default) or PostgreSQL (`DATABASE_URL`). */
export interface Store extends ListSource {
  readonly kind: 'pglite' | 'postgres'
  get(resource: Resource, tenantId: string, id: number): Promise<Item | null>
  create(resource: Resource, tenantId: string, input: ItemInput): Promise<Item>
  /** The row before and after, or null when the tenant has no such row. */
  update(resource: Resource, tenantId: string, id: number, patch: ItemPatch): Promise<{ before: Item; after: Item } | null>
  remove(resource: Resource, tenantId: string, id: number): Promise<Item | null>
  profile(userId: string): Promise<UserProfile | null>
  updateProfile(userId: string, patch: ProfilePatch): Promise<UserProfile | null>
  stats(tenantId: string): Promise<DashboardStats>
  /** A user's TTA entries, newest first. */
  ttaEntries(tenantId: string, userId: string): Promise<TtaEntry[]>
  addTtaEntry(tenantId: string, userId: string, input: TtaInput): Promise<TtaEntry>
  /** Queries sent, and reads of each kind, since the process started (the stats route shows them). */
  counts(): { queries: number; lists: number; details: number; profiles: number; stats: number; tta: number }
  close(): Promise<void>
}
