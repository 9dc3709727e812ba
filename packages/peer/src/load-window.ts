/**
 * Recent executes of this node, for its short-term metrics sample: a bounded ring of (time, latency) pairs from
 * which the median latency and the count over the last window are read. Fixed storage, no allocation per record.
 */
export class LoadWindow {
  private readonly times: Float64Array
  private readonly latencies: Float64Array
  private readonly scratch: Float64Array
  private next = 0
  private size = 0

  constructor (capacity: number) {
    this.times = new Float64Array(capacity)
    this.latencies = new Float64Array(capacity)
    this.scratch = new Float64Array(capacity)
  }

  record (atMs: number, latencyMs: number): void {
    this.times[this.next] = atMs
    this.latencies[this.next] = latencyMs
    this.next = (this.next + 1) % this.times.length
    if (this.size < this.times.length) this.size++
  }

  /** Count and median latency of the records in (nowMs − windowMs, nowMs]; median 0 when there are none. */
  summary (nowMs: number, windowMs: number): { count: number, p50Ms: number } {
    let n = 0
    for (let i = 0; i < this.size; i++) {
      if (nowMs - this.times[i] < windowMs) this.scratch[n++] = this.latencies[i]
    }
    if (n === 0) return { count: 0, p50Ms: 0 }
    const sorted = this.scratch.subarray(0, n).sort()
    const p50Ms = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    return { count: n, p50Ms }
  }
}
