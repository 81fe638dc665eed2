import { describe } from 'vitest'
import { defineAdminTests } from './admin-tests.js'
import { useApi, type OpenDatabase } from './api-suite.js'
import { defineExportTests } from './export-tests.js'
import { defineInvalidationTests } from './invalidation-tests.js'
import { defineOutageTests } from './outage-tests.js'
import { definePythonInteropTests } from './python-tests.js'

/**
 * Every scenario on one database engine: the API on the memory driver and on a real redis-server,
 * the seed's Python service on that redis-server, and the redis-server killed. Each describe block
 * has its own database (with the demo data) and its own store.
 */
export function defineSuites(database: string, openDb: OpenDatabase): void {
  describe.each(['memory', 'redis'] as const)(`FHIR export API on ${database}, cache on %s`, (store) => {
    const getApi = useApi(store, openDb)
    defineExportTests(getApi)
    defineInvalidationTests(getApi)
    defineAdminTests(getApi)
  })

  describe(`FHIR export API on ${database} and seed 002's Python service, on one redis-server`, () => {
    definePythonInteropTests(useApi('redis', openDb))
  })

  describe(`FHIR export API on ${database}, its redis-server killed mid-run`, () => {
    defineOutageTests(useApi('redis', openDb))
  })
}
