import type { EventEmitter } from 'node:events'

/**
 * The ioredis methods the driver calls, typed loosely once. Both `Redis` and `Cluster` (and
 * ioredis-mock) provide them; going through named methods rather than `call()` keeps the driver
 * usable with ioredis-mock, which has no `call`.
 */
export interface CommandClient extends EventEmitter {
  readonly status?: string
  readonly isCluster?: boolean
  connect(): Promise<void>
  get(key: string): Promise<string | null>
  getBuffer(key: string): Promise<Buffer | null>
  mget(...keys: string[]): Promise<(string | null)[]>
  set(key: string, value: string | Buffer, ...args: (string | number)[]): Promise<'OK' | null>
  unlink(...keys: string[]): Promise<number>
  exists(...keys: string[]): Promise<number>
  pttl(key: string): Promise<number>
  pexpire(key: string, ttlMs: number): Promise<number>
  incrby(key: string, by: number): Promise<number>
  scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>
  hset(key: string, ...fieldsAndValues: string[]): Promise<number>
  hgetall(key: string): Promise<Record<string, string>>
  hdel(key: string, ...fields: string[]): Promise<number>
  hincrby(key: string, field: string, by: number): Promise<number>
  sadd(key: string, ...members: string[]): Promise<number>
  srem(key: string, ...members: string[]): Promise<number>
  smembers(key: string): Promise<string[]>
  zadd(key: string, ...scoresAndMembers: string[]): Promise<number | string>
  zrange(key: string, ...args: (string | number)[]): Promise<string[]>
  zrem(key: string, ...members: string[]): Promise<number>
  zcard(key: string): Promise<number>
  zremrangebyscore(key: string, min: string, max: string): Promise<number>
  publish(channel: string, message: string): Promise<number>
  subscribe(channel: string): Promise<unknown>
  unsubscribe(channel: string): Promise<unknown>
  multi(): CommandPipeline
  evalsha(sha: string, keyCount: number, ...args: string[]): Promise<unknown>
  eval(script: string, keyCount: number, ...args: string[]): Promise<unknown>
  ping(): Promise<string>
  info(): Promise<string>
  quit(): Promise<unknown>
  disconnect(): void
  duplicate(): CommandClient
}

/** A MULTI being built: the same methods, chained, then EXEC. */
export interface CommandPipeline {
  set(key: string, value: string | Buffer, ...args: (string | number)[]): CommandPipeline
  unlink(...keys: string[]): CommandPipeline
  pexpire(key: string, ttlMs: number): CommandPipeline
  incrby(key: string, by: number): CommandPipeline
  hset(key: string, ...fieldsAndValues: string[]): CommandPipeline
  hdel(key: string, ...fields: string[]): CommandPipeline
  hincrby(key: string, field: string, by: number): CommandPipeline
  sadd(key: string, ...members: string[]): CommandPipeline
  srem(key: string, ...members: string[]): CommandPipeline
  zadd(key: string, ...scoresAndMembers: string[]): CommandPipeline
  zrem(key: string, ...members: string[]): CommandPipeline
  zremrangebyscore(key: string, min: string, max: string): CommandPipeline
  exec(): Promise<[Error | null, unknown][] | null>
}

/** A cluster client: the commands plus the node list. */
export interface ClusterCommandClient extends CommandClient {
  nodes(role: 'master' | 'slave' | 'all'): CommandClient[]
  /** ioredis' slot table: for each slot, `host:port` of its master first, then its replicas. */
  readonly slots?: readonly (readonly string[] | undefined)[]
}
