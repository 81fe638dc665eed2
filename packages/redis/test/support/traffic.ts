// The same steady traffic as the ioredis driver's failure and chaos tests: one copy, shared.
export * from '../../../ioredis/test/support/traffic.js'
