import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { useDriver, type ConformanceContext } from './context.js'
import { freshPrefix } from './key-prefix.js'
import { applyDriverCommand } from './model/apply-driver-command.js'
import { driverCommandsArbitrary } from './model/arbitrary.js'
import { createReferenceModel } from './model/reference-model.js'

/**
 * Model-based test: random command sequences run on the driver and on the reference model of
 * Redis, every result compared. On an exact (fake) clock the sequences include short TTLs and
 * time steps; otherwise TTLs are absent or long, so real time passing cannot make it flaky.
 * Quirks either change the model (member order, empty sorted sets) or narrow the generated
 * commands, each as its comment in DriverConformanceQuirks says.
 */
export function registerModelTests(context: ConformanceContext): void {
  describe('model-based', () => {
    const driver = useDriver(context)
    const apply = { exactTime: context.exactTime, advanceTime: context.advanceTime }

    it(`agrees with the reference model of Redis on ${context.propertyRuns} random command sequences`, async () => {
      const commands = driverCommandsArbitrary({ capabilities: context.capabilities, ttl: context.exactTime ? 'exact' : 'long', quirks: context.quirks })
      await fc.assert(
        fc.asyncProperty(commands, async (sequence) => {
          const prefix = freshPrefix()
          const model = createReferenceModel({ exactTime: context.exactTime, quirks: context.quirks })
          for (const [step, command] of sequence.entries()) {
            const actual = await applyDriverCommand(driver(), prefix, command, apply)
            expect(actual, `step ${step}: ${JSON.stringify(command)}`).toEqual(model.apply(command))
          }
        }),
        { numRuns: context.propertyRuns },
      )
    })
  })
}
