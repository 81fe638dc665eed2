export { startUpstashBridge } from './start-upstash-bridge.js'
export type { UpstashBridge } from './start-upstash-bridge.js'
export type { UpstashBridgeOptions } from './bridge-options.js'
