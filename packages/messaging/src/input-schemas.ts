import * as z from 'zod'

/** An identifier that may sit inside a key's hash tag: no brace, colon, space or control character. */
export const idSchema = z.union([z.string().regex(/^[\w.@-]{1,128}$/, "1 to 128 letters, digits, '_', '.', '@' or '-'"), z.number().int().nonnegative()]).transform(String)

export const userTypeSchema = z.enum(['doctor', 'patient'])

export const userRefSchema = z.strictObject({ type: userTypeSchema, id: idSchema })

export const pageSchema = z
  .strictObject({
    limit: z.number().int().min(1).max(200).optional(),
    cursor: z.string().min(1).max(512).optional(),
    order: z.enum(['newest', 'oldest']).optional(),
  })
  .optional()

export const sendSchema = z.strictObject({
  conversationId: idSchema,
  sender: userRefSchema,
  content: z.string().min(1).max(20_000),
  id: z.string().regex(/^[\w-]{1,64}$/, "1 to 64 letters, digits, '_' or '-'").optional(),
})

export const conversationSchema = z.strictObject({
  type: z.string().regex(/^[\w-]{1,64}$/, "1 to 64 letters, digits, '_' or '-'"),
  contextId: idSchema,
  doctorId: idSchema,
  patientId: idSchema,
  title: z.string().max(500).optional(),
})

export const profileSchema = z.strictObject({
  type: userTypeSchema,
  id: idSchema,
  lastName: z.string().min(1).max(200),
  firstName: z.string().max(200),
  email: z.email().max(320).optional(),
  specialty: z.string().max(200).optional(),
})

export const searchSchema = z.strictObject({
  query: z.string().min(1).max(200),
  type: userTypeSchema.optional(),
  limit: z.number().int().min(1).max(100).optional(),
})

export const notifySchema = z.strictObject({
  recipient: userRefSchema,
  kind: z.string().regex(/^[\w.-]{1,64}$/, "1 to 64 letters, digits, '_', '.' or '-'"),
  priority: z.enum(['high', 'medium', 'low']).optional(),
  title: z.string().max(500).optional(),
  data: z.record(z.string().max(100), z.string().max(5_000)).optional(),
})

export const historySchema = z
  .strictObject({
    limit: z.number().int().min(1).max(200).optional(),
    cursor: z.string().min(1).max(512).optional(),
    order: z.enum(['newest', 'oldest']).optional(),
    priority: z.enum(['high', 'medium', 'low']).optional(),
  })
  .optional()

export const statusSchema = z.enum(['active', 'archived'])

export const messageIdSchema = z.string().regex(/^[\w-]{1,64}$/, "1 to 64 letters, digits, '_' or '-'")

export const listenerSchema = z.custom<(value: never) => void>((value) => typeof value === 'function', { message: 'expected a function' })
