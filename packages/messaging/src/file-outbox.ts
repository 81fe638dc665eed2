/*
 * `@cachette/messaging/file-outbox`: the durable outbox on a file, for Node. Apart from the main
 * entry because it imports `node:fs`; the main entry stays edge-safe (memoryOutbox, webStorageOutbox).
 */
export { fileOutbox } from './outbox/file-outbox.js'
export type { FileOutboxOptions } from './outbox/file-outbox.js'
export type { Outbox, OutboxCodecOptions, OutboxLimitOptions } from './outbox/shared.js'
