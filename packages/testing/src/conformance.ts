/*
 * @cachette/testing/conformance: the vitest conformance suite and the model-based kit behind it
 * (the command arbitraries need fast-check, runDriverConformance needs vitest; both are optional
 * peers of the package). The root entry imports neither, so it loads from require(), Jest and
 * node:test.
 *
 * runDriverConformance comes first: in the CommonJS build its `vitest` import is the module that
 * throws the clear error (see tsup.config.ts), and it must run before fast-check is required, which
 * may not be installed.
 */
export { runDriverConformance } from './conformance/run-driver-conformance.js'
export type { DriverConformanceOptions, DriverConformanceQuirks } from './conformance/options.js'
export { driverCommandsArbitrary } from './conformance/model/arbitrary.js'
export type { DriverCommandsOptions } from './conformance/model/arbitrary.js'
export { applyDriverCommand } from './conformance/model/apply-driver-command.js'
export { createReferenceModel } from './conformance/model/reference-model.js'
export type { ReferenceModel, ReferenceModelOptions } from './conformance/model/reference-model.js'
export type { ApplyCommandOptions, CommandTtlMode, DriverCommand, DriverCommandResult } from './conformance/model/commands.js'
