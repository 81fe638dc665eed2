import { createServer } from 'node:net'

/**
 * A loopback TCP port that was free a moment ago: the kernel picks it (listen on port 0), we
 * close the listener and hand the number out. Another process may take it before redis-server
 * binds, so callers retry on "Address already in use".
 *
 * @example
 * ```ts
 * const port = await findFreePort()
 * ```
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))))
    })
  })
}
