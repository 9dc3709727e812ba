/**
 * Small deterministic helpers shared by the policies.
 */
import type { Rng } from '@tessera/crossbar'

/** Picks uniformly among `items` with the rng; the only item without drawing when there is one. */
export function pick<T> (items: readonly T[], rng: Rng): T | undefined {
  if (items.length <= 1) return items[0]
  return items[rng.nextInt(items.length)]
}

/** Total order on ids by UTF-16 code units, independent of locale. */
export function compareIds (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
