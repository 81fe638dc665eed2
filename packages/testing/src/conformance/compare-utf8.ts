const encoder = new TextEncoder()

/**
 * Orders strings by their UTF-8 bytes, as Redis orders sorted-set members of equal score. Both
 * the sorted-set topic and the reference model use it, so it lives apart from the vitest helpers
 * and the model can be loaded without vitest.
 */
export function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  const length = Math.min(x.length, y.length)
  for (let i = 0; i < length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number)
  return x.length - y.length
}
