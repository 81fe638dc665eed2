import { CacheError } from '@cachette/core'
import { REQUIRED_FROM_COMMONJS_MESSAGE } from './vitest-run.js'

/*
 * Stands in for `vitest` in the CommonJS build of @cachette/testing/conformance (tsup.config.ts
 * points the import here for the cjs format only). Vitest loads test files as ESM, so that build is
 * only ever reached by a real require() outside vitest, where vitest's own index.cjs would throw a
 * message about bundlers. This one says what to do instead. It exports nothing: loading it throws.
 */
throw new CacheError('UNSUPPORTED', REQUIRED_FROM_COMMONJS_MESSAGE)
