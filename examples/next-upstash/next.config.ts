import type { NextConfig } from 'next'
import { fileURLToPath } from 'node:url'

const nextConfig: NextConfig = {
  // PGlite loads its WebAssembly next to its own module, and pg is Node-only: both stay out of the bundles.
  serverExternalPackages: ['@electric-sql/pglite', 'pg'],
  // In this monorepo the workspace root holds the lockfile; a copied example is its own root.
  turbopack: { root: fileURLToPath(new URL('../..', import.meta.url)) },
  outputFileTracingRoot: fileURLToPath(new URL('../..', import.meta.url)),
}

export default nextConfig
