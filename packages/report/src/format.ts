/**
 * Number formatting shared by reports, so every page and table prints the same quantity the same way.
 */

/** A fraction as a percentage with `digits` decimals: 0.9731 → `97.31%`. */
export function formatPercent (fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`
}

/** A duration in seconds in the largest whole unit that fits: 1 → `1 s`, 3600 → `1 h`, 86400 → `1 day`. */
export function formatSeconds (seconds: number): string {
  const units: Array<[number, string, string]> = [
    [31_536_000, 'year', 'years'], [86_400, 'day', 'days'], [3600, 'h', 'h'], [60, 'min', 'min'], [1, 's', 's']
  ]
  for (const [size, one, many] of units) {
    if (seconds >= size) {
      const value = seconds / size
      const text = Number.isInteger(value) ? String(value) : value.toFixed(1)
      return `${text} ${value === 1 ? one : many}`
    }
  }
  if (seconds === 0) return '0 s'
  return `${+(seconds * 1000).toPrecision(3)} ms`
}

/** Milliseconds as seconds with one decimal: 12345 → `12.3 s`. */
export function formatDurationMs (ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** A number rounded to `digits` decimals, for JSON reports (fewer digits than the measurement can carry are noise). */
export function roundTo (x: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
