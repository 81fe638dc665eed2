import type { PresenceChange, Read, SearchHit, UserProfile, UserType } from './messaging-types.js'
import { MessagingError } from './messaging-errors.js'
import { publishEvent } from './notifications.js'
import { indexName, openValues, sealValues } from './sealing.js'
import { attempt, type StoreContext } from './store-context.js'
import { foldText, prefixesOf, searchWords } from './text-search.js'

/** Points of a query word equal to a word of the profile, and of one that only starts one. */
const EXACT_WORD = 3
const PREFIX_WORD = 1
/** Bonus when the whole query is the person's full name (either order). */
const FULL_NAME = 10

function wordsOf(profile: Partial<UserProfile>): Set<string> {
  return new Set(searchWords([profile.lastName, profile.firstName, profile.specialty, profile.email].filter((part) => part !== undefined).join(' ')))
}

/** The profile fields holding personal data: sealed with `kit.seal` when the cache has encryption (type, id and updatedAt stay clear). */
const PERSONAL_FIELDS = ['lastName', 'firstName', 'email', 'specialty'] as const

/** A profile HASH, its personal fields opened; undefined when empty, partial or when a sealed field does not open. */
async function readProfile(context: StoreContext, key: string, fields: Record<string, string>): Promise<UserProfile | undefined> {
  if (Object.keys(fields).length === 0) return undefined
  const opened = await openValues(context, key, Object.fromEntries(PERSONAL_FIELDS.map((name) => [name, fields[name]])))
  return opened === undefined ? undefined : profileOf({ ...fields, ...opened })
}

function profileOf(fields: Record<string, string>): UserProfile | undefined {
  if (fields.type !== 'doctor' && fields.type !== 'patient') return undefined
  if (fields.id === undefined || fields.lastName === undefined) return undefined
  return {
    type: fields.type,
    id: fields.id,
    lastName: fields.lastName,
    firstName: fields.firstName ?? '',
    ...(fields.email === undefined ? {} : { email: fields.email }),
    ...(fields.specialty === undefined ? {} : { specialty: fields.specialty }),
    updatedAt: fields.updatedAt ?? '',
  }
}

/**
 * Writes a profile (one batch on its HASH: fields no longer given removed) and keeps the search
 * index in step: each folded word in a term set, its prefixes in prefix sets, the words the old
 * profile had and the new one lacks removed. Store failures reject.
 */
export async function storeUser(context: StoreContext, input: Omit<UserProfile, 'updatedAt'>): Promise<UserProfile> {
  const { kit, keys } = context
  const key = keys.user(input.type, input.id)
  const old = await readProfile(context, key, await kit.call('get', (driver) => driver.hgetall(key)))
  const profile: UserProfile = { ...input, updatedAt: new Date().toISOString() }
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(profile)) if (value !== undefined) fields[name] = value
  Object.assign(fields, await sealValues(context, key, Object.fromEntries(PERSONAL_FIELDS.map((name) => [name, fields[name]]))))
  const dropped = ['email', 'specialty'].filter((name) => fields[name] === undefined)
  await kit.call('set', (driver) =>
    driver.batch([...(dropped.length > 0 ? [{ op: 'hdel' as const, key, fields: dropped }] : []), { op: 'hset' as const, key, fields }]),
  )
  const next = wordsOf(profile)
  const before = old === undefined ? new Set<string>() : wordsOf(old)
  const keep = (words: Iterable<string>) => new Set([...words].flatMap((word) => [`t:${word}`, ...prefixesOf(word).map((prefix) => `p:${prefix}`)]))
  const wanted = keep(next)
  const stale = [...keep(before)].filter((entry) => !wanted.has(entry))
  // With a search secret the key names hold HMACs of the words, never the words; search off: no index.
  const indexKey = (entry: string) => {
    const kind = entry.startsWith('t:') ? 'term' : 'prefix'
    const name = indexName(context, kind, input.type, entry.slice(2))
    if (name === undefined) return undefined
    return kind === 'term' ? keys.searchTerm(input.type, name) : keys.searchPrefix(input.type, name)
  }
  const writes = (entries: Iterable<string>) => [...entries].flatMap((entry) => {
    const indexed = indexKey(entry)
    return indexed === undefined ? [] : [indexed]
  })
  // Each index key is its own slot on a cluster: one call per key, no cross-slot batch.
  await Promise.all([
    ...writes(wanted).map((indexed) => kit.call('set', (driver) => driver.sadd(indexed, [input.id]))),
    ...writes(stale).map((indexed) => kit.call('set', (driver) => driver.srem(indexed, [input.id]))),
  ])
  return profile
}

/** One profile; a store failure is `degraded`. */
export async function getUser(context: StoreContext, type: UserType, id: string): Promise<Read<UserProfile>> {
  const key = context.keys.user(type, id)
  const fields = await attempt(context, (driver) => driver.hgetall(key))
  return fields.ok ? { value: await readProfile(context, key, fields.value), degraded: false } : { value: undefined, degraded: true }
}

/**
 * Finds users by name, specialty or email, accents and case ignored, through the index only: each
 * query word must equal or start a word of the profile. Exact words score above prefixes, and the
 * full name above everything. A store failure is `degraded`.
 */
export async function searchUsers(
  context: StoreContext,
  query: string,
  types: readonly UserType[],
  limit: number,
): Promise<{ readonly items: readonly SearchHit[]; readonly degraded: boolean }> {
  const { keys } = context
  if (context.search.mode === 'off') throw new MessagingError('SEARCH_DISABLED', '[@cachette/messaging] searchUsers: search is off (encryption at rest without a search secret)')
  const words = [...new Set(searchWords(query))]
  if (words.length === 0) return { items: [], degraded: false }
  const hits: SearchHit[] = []
  for (const type of types) {
    const scores = new Map<string, number>()
    for (const [position, word] of words.entries()) {
      const term = keys.searchTerm(type, indexName(context, 'term', type, word) as string)
      const prefix = keys.searchPrefix(type, indexName(context, 'prefix', type, word) as string)
      const found = await attempt(context, (driver) => Promise.all([driver.smembers(term), driver.smembers(prefix)]))
      if (!found.ok) return { items: [], degraded: true }
      const [exact, partial] = found.value
      const round = new Map<string, number>()
      for (const id of partial) round.set(id, PREFIX_WORD)
      for (const id of exact) round.set(id, EXACT_WORD)
      // Every word must match: after the first, keep only ids that matched each word so far.
      if (position === 0) for (const [id, points] of round) scores.set(id, points)
      else for (const [id, points] of scores) round.has(id) ? scores.set(id, points + (round.get(id) ?? 0)) : scores.delete(id)
    }
    const ids = [...scores.keys()]
    const profiles = await attempt(context, (driver) => Promise.all(ids.map((id) => driver.hgetall(keys.user(type, id)))))
    if (!profiles.ok) return { items: [], degraded: true }
    const users = await Promise.all(ids.map((id, index) => readProfile(context, keys.user(type, id), profiles.value[index] ?? {})))
    const folded = words.join(' ')
    for (const [index, id] of ids.entries()) {
      const user = users[index]
      if (user === undefined) continue
      const names = [`${user.firstName} ${user.lastName}`, `${user.lastName} ${user.firstName}`, user.lastName].map((name) => searchWords(name).join(' '))
      hits.push({ user, score: (scores.get(id) ?? 0) + (names.includes(folded) ? FULL_NAME : 0) })
    }
  }
  hits.sort((a, b) => b.score - a.score || foldText(a.user.lastName).localeCompare(foldText(b.user.lastName)))
  return { items: hits.slice(0, limit), degraded: false }
}

/**
 * Marks a user online for the presence TTL (a heartbeat renews it: a client that stops sending
 * them goes offline by itself). Publishes `online` when the user was offline. Store failures reject.
 */
export async function heartbeat(context: StoreContext, type: UserType, id: string): Promise<void> {
  const { kit, keys, options } = context
  const key = keys.userPresence(type, id)
  const arrived = await kit.call('set', (driver) => driver.set(key, 'online', { ttlMs: options.presenceTtlMs, condition: 'nx' }))
  if (arrived) await publishPresence(context, { user: { type, id }, status: 'online' })
  else await kit.call('set', (driver) => driver.pexpire(key, options.presenceTtlMs))
}

/** Marks a user offline now and publishes it. Store failures reject. */
export async function goOffline(context: StoreContext, type: UserType, id: string): Promise<void> {
  const removed = await context.kit.call('set', (driver) => driver.delete([context.keys.userPresence(type, id)]))
  if (removed > 0) await publishPresence(context, { user: { type, id }, status: 'offline' })
}

/** Whether a user is online; a store failure is `degraded`. */
export async function isOnline(context: StoreContext, type: UserType, id: string): Promise<Read<boolean>> {
  const value = await attempt(context, (driver) => driver.get(context.keys.userPresence(type, id)))
  return value.ok ? { value: value.value !== null, degraded: false } : { value: undefined, degraded: true }
}

async function publishPresence(context: StoreContext, change: PresenceChange): Promise<void> {
  await publishEvent(context, context.keys.presenceChannel(), change)
}
