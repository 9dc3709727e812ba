/** Binary search over an ascending run of numbers (a window's sorted samples, a peer's sorted round trips). */

/**
 * First index of `sorted[0 … n)` whose value is greater than `value` (`strict`) or at least `value`: where `value`
 * goes to keep the run sorted (after its equals when `strict`), or where the first copy of it lies.
 */
export function searchSorted (sorted: ArrayLike<number>, n: number, value: number, strict: boolean): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (strict ? sorted[mid] <= value : sorted[mid] < value) lo = mid + 1
    else hi = mid
  }
  return lo
}
