/** Binary search over ascending numbers (answer times, node ids). */

/** The first index of ascending `sorted` whose value is ≥ `x` (`sorted.length` when none is). */
export function firstAtOrAfter (sorted: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}
