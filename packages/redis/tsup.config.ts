import { definePackageBuild } from '../../.config/tsup'

export default definePackageBuild()
