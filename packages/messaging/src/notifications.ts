import { newId } from './ids.js'
import { markRecordRead } from './messages.js'
import type { Notification, NotificationPriority, Page, PageOptions, UserType } from './messaging-types.js'
import { attempt, parseRecord, readPage, type StoreContext } from './store-context.js'

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
  await kit.call('set', (driver) => driver.set(keys.notification(notification.id), JSON.stringify(notification), { ttlMs: options.notificationTtlMs }))
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
  await kit.call('set', (driver) => driver.publish(keys.notifyChannel(type, id), JSON.stringify(notification)))
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
    const raws = await attempt(context, (driver) => driver.mget(ids.map((member) => context.keys.notification(member))))
    return raws.ok ? { ok: true, value: raws.value.map((raw) => parseRecord<Notification>(context, raw)) } : raws
  })
}

/** Marks a notification read, keeping its expiry; false when absent. Store failures reject. */
export function markNotificationRead(context: StoreContext, notificationId: string): Promise<boolean> {
  return markRecordRead(context, context.keys.notification(notificationId), context.options.notificationTtlMs)
}
