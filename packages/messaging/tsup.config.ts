import { definePackageBuild } from '../../.config/tsup'

// The main entry is edge-safe; the file outbox (node:fs) has its own entry.
export default definePackageBuild({ entry: ['src/index.ts', 'src/file-outbox.ts'] })
