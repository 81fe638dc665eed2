/**
 * Where a cache keeps the function that opens its kit. `Symbol.for`, not a module symbol: the kit
 * subpath is bundled apart from the main entry, and both must name the same property.
 */
export const OPEN_KIT: unique symbol = Symbol.for('@cachette/core.openKit') as never
