import { newId } from './ids.js'
import { markRecordRead } from './messages.js'
import type { Notification, NotificationPriority, Page, PageOptions, UserType } from './messaging-types.js'
import { isSealed, openValues, sealValues } from './sealing.js'
import { attempt, parseRecord, readPage, type StoreContext } from './store-context.js'

/** A notification as stored: with encryption, `title` and `data` (as JSON) are seals of `kit.seal`. */
type StoredNotification = Omit<Notification, 'data'> & { readonly data?: Readonly<Record<string, string>> | string }

/**
 * A notification's record: JSON; with encryption its `title` and its `data` (as JSON text) are
 * sealed, bound to the record's key and to `title` / `data`. Ids, kind, priority, recipient,
 * timestamp and flag stay clear. Without encryption the record is the notification as is.
 */
async function encodeNotification(context: StoreContext, notification: Notification): Promise<string> {
  if (!context.kit.encrypted) return JSON.stringify(notification)
  const sealed = await sealValues(context, context.keys.notification(notification.id), {
    title: notification.title,
    data: notification.data === undefined ? undefined : JSON.stringify(notification.data),
  })
  return JSON.stringify({ ...notification, ...sealed })
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string')
}

/** A stored notification, opened; undefined when absent, undecodable or when a sealed value does not open. */
async function decodeNotification(context: StoreContext, key: string, raw: string | null): Promise<Notification | undefined> {
  const record = parseRecord<StoredNotification>(context, raw)
  if (record === undefined) return undefined
  const undecodable = () => {
    context.kit.corrupted('a messaging record could not be decoded; it was skipped', 'DECODE_FAILED')
    return undefined
  }
  const { title, data, ...rest } = record
  if (title !== undefined && typeof title !== 'string') return undecodable()
  // This package writes data as an object (no encryption) or as a seal of its JSON (encryption), with the title alike.
  if (typeof data === 'string' ? !isSealed(data) : data !== undefined && (!isStringRecord(data) || (title !== undefined && isSealed(title)))) return undecodable()
  const opened = await openValues(context, key, { title, data: typeof data === 'string' ? data : undefined })
  if (opened === undefined) return undefined
  let payload = data
  if (opened.data !== undefined) {
    try {
      payload = JSON.parse(opened.data) as unknown as Record<string, string>
    } catch {
      return undecodable()
    }
    if (!isStringRecord(payload)) return undecodable()
  }
  return { ...rest, ...(opened.title === undefined ? {} : { title: opened.title }), ...(payload === undefined ? {} : { data: payload }) } as Notification
}

/** What a notification is made of. */
export interface NotificationInput {
  readonly recipient: { readonly type: UserType; readonly id: string }
  readonly kind: string
  readonly priority?: NotificationPriority | undefined
  readonly title?: string | undefined
  readonly data?: Readonly<Record<string, string>> | undefined
}

/**
 * Keeps a notification (its record and the recipient's histories, all for the notification TTL)
 * and publishes it to the recipient's subscribers on every instance. Store failures reject.
 */
export async function notify(context: StoreContext, input: NotificationInput): Promise<Notification> {
  const { kit, keys, options } = context
  const now = Date.now()
  const notification: Notification = {
    id: newId(now),
    recipient: input.recipient,
    kind: input.kind,
    priority: input.priority ?? 'medium',
    ...(input.title === undefined ? {} : { title: input.title }),
    ...(input.data === undefined ? {} : { data: input.data }),
    timestamp: new Date(now).toISOString(),
    isRead: false,
  }
  const { type, id } = input.recipient
  const record = await encodeNotification(context, notification)
  await kit.call('set', (driver) => driver.set(keys.notification(notification.id), record, { ttlMs: options.notificationTtlMs }))
  const expired = { exclusive: now - options.notificationTtlMs }
  // Both histories share the user's {type:id} tag: one atomic batch, one slot.
  const histories = [keys.userNotifications(type, id), keys.userNotifications(type, id, notification.priority)]
  await kit.call('set', (driver) =>
    driver.batch(
      histories.flatMap((key) => [
        { op: 'zadd' as const, key, entries: [{ member: notification.id, score: now }] },
        { op: 'pexpire' as const, key, ttlMs: options.notificationTtlMs },
        { op: 'zremRangeByScore' as const, key, min: '-inf' as const, max: expired },
      ]),
    ),
  )
  await publishEvent(context, keys.notifyChannel(type, id), notification)
  context.counters.notificationsPublished += 1
  return notification
}

/** A user's notification history, all priorities or one; a store failure is `degraded`. */
export function notificationHistory(
  context: StoreContext,
  type: UserType,
  id: string,
  options: (PageOptions & { readonly priority?: NotificationPriority | undefined }) | undefined,
): Promise<Page<Notification>> {
  return readPage(context, context.keys.userNotifications(type, id, options?.priority), options, async (ids) => {
    const keys = ids.map((member) => context.keys.notification(member))
    const raws = await attempt(context, (driver) => driver.mget(keys))
    if (!raws.ok) return raws
    return { ok: true, value: await Promise.all(raws.value.map((raw, index) => decodeNotification(context, keys[index] as string, raw ?? null))) }
  })
}

/** Marks a notification read, keeping its expiry; false when absent. Store failures reject. */
export function markNotificationRead(context: StoreContext, notificationId: string): Promise<boolean> {
  return markRecordRead(context, context.keys.notification(notificationId), context.options.notificationTtlMs)
}

/**
 * Publishes an event (a notification, a presence change) on a channel: its JSON, sealed with
 * `kit.seal` bound to the channel and `event` when the cache has encryption (as is without).
 * Store failures reject.
 */
export async function publishEvent(context: StoreContext, channel: string, event: unknown): Promise<void> {
  const payload = await context.kit.seal(channel, 'event', JSON.stringify(event))
  await context.kit.call('set', (driver) => driver.publish(channel, payload))
}
