import { pgliteDatabase } from '../src/db/pglite-database.js'
import { defineSuites } from './support/suites.js'

// A PGlite of its own per describe block (in memory).
defineSuites('PGlite', () => pgliteDatabase())
