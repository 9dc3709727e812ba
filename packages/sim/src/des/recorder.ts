/**
 * What a simulated run records. Scenario runs keep everything in the coordinator's own `RunRecorder`, so their
 * metrics come from the same `computeRunMetrics` as the loopback runs'. Scale runs make millions of calls: they keep
 * running sums instead — counts, device time per peer, the weight and allocation integrals, and a latency
 * histogram with buckets 1% wide (so its p95 is within 1% of the exact one).
 */
import { RunRecorder } from '@tessera/coordinator'
import type { CallRecord } from '@tessera/coordinator'

/** Where a simulated coordinator reports its calls, allocations and answers. */
export interface DesRecorder {
  call: (record: CallRecord) => void
  allocate: (peerId: string, cells: number, allocated: number, atMs: number) => void
  answered: (count: number, atMs: number) => void
  replacements: number
  startMs: number
  endMs: number
}

/** The coordinator's recorder, unchanged (every call kept). */
export function fullRecorder (): RunRecorder & DesRecorder {
  return new RunRecorder()
}

/** Latency histogram: bucket i holds values in [base·g^i, base·g^(i+1)), g = 1.01. */
const HISTOGRAM_BASE_MS = 0.01
const HISTOGRAM_GROWTH = 1.01
const HISTOGRAM_BUCKETS = 2400

/** Running sums for long runs. */
export class StreamingRecorder implements DesRecorder {
  replacements = 0
  startMs = Number.NaN
  endMs = Number.NaN
  calls = 0
  failedCalls = 0
  answeredCount = 0
  busyMsByPeer = new Map<string, number>()
  private readonly histogram = new Float64Array(HISTOGRAM_BUCKETS)
  private cells = 0
  private allocatedCells = 0
  private lastMs = Number.NaN
  /** ∫ weight cells dt and ∫ allocated cells dt since the first allocation, cell·ms. */
  cellsIntegral = 0
  allocatedIntegral = 0

  call (record: CallRecord): void {
    this.calls++
    if (!record.ok) {
      this.failedCalls++
      return
    }
    this.busyMsByPeer.set(record.peerId, (this.busyMsByPeer.get(record.peerId) ?? 0) + record.deviceTimeNs / 1e6)
    const ms = record.endMs - record.startMs
    const i = ms <= HISTOGRAM_BASE_MS ? 0 : Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(Math.log(ms / HISTOGRAM_BASE_MS) / Math.log(HISTOGRAM_GROWTH)))
    this.histogram[i]++
  }

  allocate (_peerId: string, cells: number, allocated: number, atMs: number): void {
    this.advance(atMs)
    this.cells += cells
    this.allocatedCells += allocated
  }

  answered (count: number, _atMs: number): void {
    this.answeredCount += count
  }

  /** Carries the integrals to `atMs`. */
  advance (atMs: number): void {
    if (Number.isFinite(this.lastMs) && atMs > this.lastMs) {
      this.cellsIntegral += this.cells * (atMs - this.lastMs)
      this.allocatedIntegral += this.allocatedCells * (atMs - this.lastMs)
    }
    this.lastMs = Number.isFinite(this.lastMs) ? Math.max(this.lastMs, atMs) : atMs
  }

  /** Latency quantile from the histogram (upper edge of the bucket holding it), ms; NaN without calls. */
  latencyQuantileMs (q: number): number {
    let total = 0
    for (const c of this.histogram) total += c
    if (total === 0) return Number.NaN
    const rank = q * total
    let seen = 0
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.histogram[i]
      if (seen >= rank) return HISTOGRAM_BASE_MS * HISTOGRAM_GROWTH ** (i + 1)
    }
    return HISTOGRAM_BASE_MS * HISTOGRAM_GROWTH ** HISTOGRAM_BUCKETS
  }
}
