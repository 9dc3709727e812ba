/**
 * A time-bounded sliding window of samples on a fixed-size ring buffer of typed arrays: bounded memory per
 * metric, no allocation per sample. The window also keeps its samples in sorted order (one insertion or removal
 * per sample, instead of a sort per change) and its summary as of its last change, so that a coordinator asking
 * for every peer's summary every reconfiguration step pays only for the windows that changed since.
 */
import { ClockWentBackwardsError, InvalidMemoryOptionError, InvalidSampleError } from './errors.js'
import type { MetricSummary } from './peer-stats.js'
import { searchSorted } from './sorted-search.js'


/**
 * Samples of one metric from the last `windowMs` milliseconds, at most `capacity` of them. A sample recorded at
 * `t` belongs to the window at time `now` while `t > now - windowMs`. When the ring is full the oldest sample
 * is overwritten, so a very busy metric keeps its most recent `capacity` samples.
 *
 * Queries take `nowMs` and first drop the samples that have left the window; the clock must not go
 * backwards (a {@link ClockWentBackwardsError} otherwise).
 */
export class TimeWindow {
  readonly windowMs: number
  readonly capacity: number
  private readonly times: Float64Array
  private readonly values: Float64Array
  /** The window's values in increasing order (the first `count`), kept as samples come and go. */
  private readonly sorted: Float64Array
  private head = 0
  private count = 0
  private lastMs = Number.NEGATIVE_INFINITY
  /** Changes whenever the samples in the window change (a push, or samples leaving it). */
  private version = 0
  /** The summary as of `summaryVersion` with EMA factor `summaryAlpha` (reused while the samples are unchanged). */
  private summaryCache?: Readonly<MetricSummary>
  private summaryVersion = -1
  private summaryAlpha = Number.NaN

  constructor (windowMs: number, capacity: number) {
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new InvalidMemoryOptionError(`windowMs must be positive, got ${windowMs}`)
    if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidMemoryOptionError(`capacity must be a positive integer, got ${capacity}`)
    this.windowMs = windowMs
    this.capacity = capacity
    this.times = new Float64Array(capacity)
    this.values = new Float64Array(capacity)
    this.sorted = new Float64Array(capacity)
  }

  /** The latest time this window has been pushed or queried at (−∞ before the first call). */
  get clockMs (): number {
    return this.lastMs
  }

  /** Appends a sample taken at `nowMs`. */
  push (value: number, nowMs: number): void {
    if (!Number.isFinite(value)) throw new InvalidSampleError(`sample must be finite, got ${value}`)
    this.advance(nowMs)
    if (this.count === this.capacity) this.dropOldest()
    const slot = (this.head + this.count) % this.capacity
    this.version++
    this.times[slot] = nowMs
    this.values[slot] = value
    const at = searchSorted(this.sorted, this.count, value, true)
    this.sorted.copyWithin(at + 1, at, this.count)
    this.sorted[at] = value
    this.count++
  }

  /** Number of samples in the window at `nowMs`. */
  size (nowMs: number): number {
    this.advance(nowMs)
    return this.count
  }

  /** The most recent sample in the window, or `undefined` when it is empty. */
  latest (nowMs: number): number | undefined {
    this.advance(nowMs)
    if (this.count === 0) return undefined
    return this.values[(this.head + this.count - 1) % this.capacity]
  }

  /** Time of the most recent sample in the window, or `undefined` when it is empty. */
  latestTimeMs (nowMs: number): number | undefined {
    this.advance(nowMs)
    if (this.count === 0) return undefined
    return this.times[(this.head + this.count - 1) % this.capacity]
  }

  /** Sum of the samples in the window (0 when empty), oldest first. */
  sum (nowMs: number): number {
    this.advance(nowMs)
    let total = 0
    for (let i = 0; i < this.count; i++) total += this.values[(this.head + i) % this.capacity]
    return total
  }

  /** Arithmetic mean of the samples in the window, or `undefined` when it is empty. */
  mean (nowMs: number): number | undefined {
    const n = this.size(nowMs)
    return n === 0 ? undefined : this.sum(nowMs) / n
  }

  /**
   * Exponential moving average over the window's samples in arrival order: starts at the oldest sample, then
   * `ema ← ema + alpha · (x − ema)` per sample. `undefined` when the window is empty.
   */
  ema (alpha: number, nowMs: number): number | undefined {
    if (!(alpha > 0 && alpha <= 1)) throw new InvalidMemoryOptionError(`alpha must be in (0, 1], got ${alpha}`)
    this.advance(nowMs)
    if (this.count === 0) return undefined
    let value = this.values[this.head]
    for (let i = 1; i < this.count; i++) value += alpha * (this.values[(this.head + i) % this.capacity] - value)
    return value
  }

  /** Smallest and largest samples, written to `out[0]` and `out[1]`; returns false when the window is empty. */
  minMax (nowMs: number, out: Float64Array): boolean {
    this.advance(nowMs)
    if (this.count === 0) return false
    out[0] = this.sorted[0]
    out[1] = this.sorted[this.count - 1]
    return true
  }

  /**
   * The `q`-quantile (0 ≤ q ≤ 1) of the window's samples with linear interpolation between order statistics
   * (Hyndman & Fan type 7, numpy's default): h = (n − 1)·q, x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋).
   * `scratch` must hold at least `capacity` values (kept for callers that share one; the window keeps its samples
   * sorted in a buffer of its own).
   */
  quantile (q: number, nowMs: number, scratch: Float64Array): number | undefined {
    if (!(q >= 0 && q <= 1)) throw new InvalidMemoryOptionError(`quantile must be in [0, 1], got ${q}`)
    if (scratch.length < this.capacity) throw new InvalidMemoryOptionError('scratch is shorter than the window capacity')
    this.advance(nowMs)
    return this.count === 0 ? undefined : this.sortedQuantile(q)
  }

  /**
   * Everything {@link MetricSummary} holds at `nowMs` (`undefined` when the window is empty), each figure as the
   * methods above give it; computed once per change of the samples (or of `alpha`), then the same object is
   * returned until they change again: read-only (not frozen, which costs more than computing it).
   */
  summary (alpha: number, nowMs: number): Readonly<MetricSummary> | undefined {
    if (!(alpha > 0 && alpha <= 1)) throw new InvalidMemoryOptionError(`alpha must be in (0, 1], got ${alpha}`)
    this.advance(nowMs)
    const n = this.count
    if (n === 0) return undefined
    let s = this.summaryCache
    if (s === undefined || this.summaryVersion !== this.version || this.summaryAlpha !== alpha) {
      // One pass in arrival order: the same sums, in the same order, as sum() and ema().
      let total = 0
      let ema = this.values[this.head]
      for (let i = 0; i < n; i++) {
        const v = this.values[(this.head + i) % this.capacity]
        total += v
        if (i > 0) ema += alpha * (v - ema)
      }
      s = {
        count: n,
        latest: this.values[(this.head + n - 1) % this.capacity],
        mean: total / n,
        ema,
        p50: this.sortedQuantile(0.5),
        p95: this.sortedQuantile(0.95),
        min: this.sorted[0],
        max: this.sorted[n - 1]
      }
      this.summaryCache = s
      this.summaryVersion = this.version
      this.summaryAlpha = alpha
    }
    return s
  }

  /** Drops every sample. */
  clear (): void {
    this.head = 0
    this.count = 0
    this.version++
  }

  private sortedQuantile (q: number): number {
    const sorted = this.sorted
    const h = (this.count - 1) * q
    const lo = Math.floor(h)
    const hi = Math.min(lo + 1, this.count - 1)
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo])
  }

  /** Removes the oldest sample from the ring and from the sorted values. */
  private dropOldest (): void {
    const value = this.values[this.head]
    const at = searchSorted(this.sorted, this.count, value, false)
    this.sorted.copyWithin(at, at + 1, this.count)
    this.head = (this.head + 1) % this.capacity
    this.count--
    this.version++
  }

  private advance (nowMs: number): void {
    if (!Number.isFinite(nowMs)) throw new InvalidSampleError(`nowMs must be finite, got ${nowMs}`)
    if (nowMs < this.lastMs) throw new ClockWentBackwardsError(`nowMs ${nowMs} is before ${this.lastMs}`)
    this.lastMs = nowMs
    const horizon = nowMs - this.windowMs
    while (this.count > 0 && this.times[this.head] <= horizon) this.dropOldest()
  }
}
