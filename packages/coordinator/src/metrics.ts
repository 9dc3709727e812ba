/**
 * The run metrics, computed in one place (the README states the same definitions):
 *
 * - throughput: requests answered ÷ streaming time (first batch sent → last batch answered), requests/s;
 * - latency p50 / p95: quantiles (linear interpolation between order statistics) of the round trips of
 *   successful shard calls at the coordinator, from the moment the call is handed to the network (any emulated
 *   delay included) until its reply is decoded;
 * - memory utilisation: crossbar cells holding a weight ÷ cells of the tiles allocated to the job on the peers
 *   holding its shards (every copy counts; a shard on a larger tile than it needs wastes the rest), as the ratio
 *   of the two time integrals over the streaming phase;
 * - resource utilisation: busy tile-pool time ÷ available tile-pool time over the peers that held shards
 *   during the run, i.e. Σ device time of the job's executes ÷ (peers holding shards × streaming time);
 * - accuracy: predictions equal to the labels ÷ requests answered;
 * - requests lost: requests never answered; duplicated: answers beyond the first for one request.
 */
import { InvalidRunOptionError } from './errors.js'
import type { UploadFailure } from './run-errors.js'

/** One shard call as the coordinator saw it. */
export interface CallRecord {
  peerId: string
  shardId: string
  /** Handed to the network / reply decoded (coordinator clock, ms). */
  startMs: number
  endMs: number
  /** Waiting for a free slot to the peer before `startMs`, ms. */
  queuedMs: number
  ok: boolean
  deviceTimeNs: number
  macs: number
  /** Why a failed call failed. */
  error?: string
}

/** Collects what a run needs for its metrics. */
export class RunRecorder {
  readonly calls: CallRecord[] = []
  /** Allocation changes: time, Δ weight cells, Δ allocated cells, peer. */
  readonly allocations: Array<{ atMs: number, cells: number, allocated: number, peerId: string }> = []
  readonly answeredAtMs: number[] = []
  replacements = 0
  peerFailures = 0
  /** Uploads that failed (the shard went to another peer, or was placed again later). */
  readonly uploadFailures: UploadFailure[] = []
  startMs = Number.NaN
  endMs = Number.NaN

  call (record: CallRecord): void {
    this.calls.push(record)
  }

  allocate (peerId: string, cells: number, allocated: number, atMs: number): void {
    this.allocations.push({ atMs, cells, allocated, peerId })
  }

  answered (count: number, atMs: number): void {
    for (let i = 0; i < count; i++) this.answeredAtMs.push(atMs)
  }
}

/** Per-request outcome of a run. */
export interface RequestOutcome {
  /** Answers per request id (1 = answered exactly once). */
  answers: Uint8Array
  /** Predicted class per request (meaningful where answered). */
  predictions: Uint8Array
  /** Label per request, when known. */
  labels?: Uint8Array
}

/** The metrics of one run. */
export interface RunMetrics {
  requests: number
  answered: number
  requestsLost: number
  requestsDuplicated: number
  durationMs: number
  throughputRps: number
  latencyP50Ms: number
  latencyP95Ms: number
  memoryUtilisation: number
  resourceUtilisation: number
  /** NaN when no labels were given or nothing was answered. */
  accuracy: number
  shardCalls: number
  failedCalls: number
  replacements: number
  peersHoldingShards: number
  /** Device time of the job's executes per peer, ms. */
  busyMsByPeer: Record<string, number>
  /** Successful calls per peer. */
  callsByPeer: Record<string, number>
}

/** Quantile `q` (0..1) of sorted values by linear interpolation; NaN for none. */
export function quantileSorted (sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const pos = q * (sorted.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

/** Time integral of a piecewise-constant total over [fromMs, toMs], from (time, delta) steps. */
function integrate (steps: Array<{ atMs: number, delta: number }>, fromMs: number, toMs: number): { integral: number, atEnd: number } {
  const sorted = [...steps].sort((a, b) => a.atMs - b.atMs)
  let level = 0
  let integral = 0
  let t = fromMs
  for (const s of sorted) {
    if (s.atMs > t && s.atMs <= toMs) {
      integral += level * (s.atMs - t)
      t = s.atMs
    }
    if (s.atMs <= toMs) level += s.delta
  }
  integral += level * Math.max(0, toMs - t)
  return { integral, atEnd: level }
}

/** Requests answered, answers beyond the first, and answers whose prediction equals the label. */
function countAnswers (outcome: RequestOutcome): { answered: number, duplicated: number, correct: number } {
  let answered = 0
  let duplicated = 0
  let correct = 0
  for (let i = 0; i < outcome.answers.length; i++) {
    const a = outcome.answers[i]
    if (a > 0) {
      answered++
      duplicated += a - 1
      if (outcome.labels !== undefined && outcome.predictions[i] === outcome.labels[i]) correct++
    }
  }
  return { answered, duplicated, correct }
}

/** Time-averaged weight cells ÷ allocated cells over [start, end] (at the end when the interval is empty). */
function memoryUtilisationOf (recorder: RunRecorder, start: number, end: number): number {
  const cells = integrate(recorder.allocations.map((a) => ({ atMs: a.atMs, delta: a.cells })), start, end)
  const allocated = integrate(recorder.allocations.map((a) => ({ atMs: a.atMs, delta: a.allocated })), start, end)
  return allocated.integral > 0
    ? cells.integral / allocated.integral
    : allocated.atEnd > 0 ? cells.atEnd / allocated.atEnd : 0
}

/** Device time and successful calls per peer that held shards (zeros included), and their busy time summed. */
function busyByPeer (recorder: RunRecorder, ok: readonly CallRecord[]): { holders: Set<string>, busyMsByPeer: Record<string, number>, callsByPeer: Record<string, number>, busyMs: number } {
  const holders = new Set(recorder.allocations.filter((a) => a.allocated > 0).map((a) => a.peerId))
  const busyMsByPeer: Record<string, number> = {}
  const callsByPeer: Record<string, number> = {}
  for (const p of [...holders].sort()) {
    busyMsByPeer[p] = 0
    callsByPeer[p] = 0
  }
  for (const c of ok) {
    busyMsByPeer[c.peerId] = (busyMsByPeer[c.peerId] ?? 0) + c.deviceTimeNs / 1e6
    callsByPeer[c.peerId] = (callsByPeer[c.peerId] ?? 0) + 1
  }
  let busyMs = 0
  for (const p of holders) busyMs += busyMsByPeer[p] ?? 0
  return { holders, busyMsByPeer, callsByPeer, busyMs }
}

/** Computes {@link RunMetrics} from a recorder and the requests' outcome. */
export function computeRunMetrics (recorder: RunRecorder, outcome: RequestOutcome): RunMetrics {
  const n = outcome.answers.length
  if (outcome.predictions.length !== n || (outcome.labels !== undefined && outcome.labels.length < n)) {
    throw new InvalidRunOptionError('answers, predictions and labels must cover the same requests')
  }
  const { answered, duplicated, correct } = countAnswers(outcome)
  const start = recorder.startMs
  const end = Number.isFinite(recorder.endMs) ? recorder.endMs : start
  const durationMs = Math.max(0, end - start)
  const ok = recorder.calls.filter((c) => c.ok)
  const latencies = Float64Array.from(ok.map((c) => c.endMs - c.startMs)).sort()
  const memoryUtilisation = memoryUtilisationOf(recorder, start, end)
  const { holders, busyMsByPeer, callsByPeer, busyMs } = busyByPeer(recorder, ok)
  const resourceUtilisation = holders.size > 0 && durationMs > 0 ? Math.min(1, busyMs / (holders.size * durationMs)) : 0

  return {
    requests: n,
    answered,
    requestsLost: n - answered,
    requestsDuplicated: duplicated,
    durationMs,
    throughputRps: durationMs > 0 ? answered / (durationMs / 1000) : 0,
    latencyP50Ms: quantileSorted(latencies, 0.5),
    latencyP95Ms: quantileSorted(latencies, 0.95),
    memoryUtilisation,
    resourceUtilisation,
    accuracy: outcome.labels !== undefined && answered > 0 ? correct / answered : Number.NaN,
    shardCalls: recorder.calls.length,
    failedCalls: recorder.calls.length - ok.length,
    replacements: recorder.replacements,
    peersHoldingShards: holders.size,
    busyMsByPeer,
    callsByPeer
  }
}

/**
 * Requests answered per second over time (for throughput plots): one point per `bucketMs` since the start, each
 * the answers of the trailing `windowMs` (default: the bucket itself) divided by that window, or by the time
 * elapsed when shorter. Answers arrive a batch at a time, so a window of a few batches shows the rate a user
 * sees rather than the batch cadence.
 */
export function throughputSeries (recorder: RunRecorder, bucketMs: number, windowMs = bucketMs): { tSeconds: number[], rps: number[] } {
  const start = recorder.startMs
  const end = Number.isFinite(recorder.endMs) ? recorder.endMs : start
  const buckets = Math.max(1, Math.ceil((end - start) / bucketMs))
  const counts = new Float64Array(buckets)
  for (const t of recorder.answeredAtMs) counts[Math.min(buckets - 1, Math.max(0, Math.floor((t - start) / bucketMs)))]++
  const bucketsPerWindow = Math.max(1, Math.round(windowMs / bucketMs))
  const rps: number[] = []
  let inWindow = 0
  for (let i = 0; i < buckets; i++) {
    inWindow += counts[i]
    if (i >= bucketsPerWindow) inWindow -= counts[i - bucketsPerWindow]
    rps.push(inWindow / ((Math.min(i + 1, bucketsPerWindow) * bucketMs) / 1000))
  }
  return {
    tSeconds: Array.from({ length: buckets }, (_, i) => ((i + 1) * bucketMs) / 1000),
    rps
  }
}

/** Latency quantiles of successful calls at the given levels (for latency-distribution plots). */
export function latencyQuantiles (recorder: RunRecorder, levels: readonly number[]): number[] {
  const sorted = Float64Array.from(recorder.calls.filter((c) => c.ok).map((c) => c.endMs - c.startMs)).sort()
  return levels.map((q) => quantileSorted(sorted, q))
}

/**
 * A latency quantile of successful calls over time (for latency-over-time plots): one point per `bucketMs` since
 * the start, the quantile `q` of the calls that ended in that bucket, null for a bucket without calls.
 */
export function latencySeries (recorder: RunRecorder, bucketMs: number, q: number): { tSeconds: number[], ms: Array<number | null> } {
  const start = recorder.startMs
  const end = Number.isFinite(recorder.endMs) ? recorder.endMs : start
  const buckets = Math.max(1, Math.ceil((end - start) / bucketMs))
  const byBucket: number[][] = Array.from({ length: buckets }, () => [])
  for (const c of recorder.calls) {
    if (!c.ok || c.endMs < start) continue
    byBucket[Math.min(buckets - 1, Math.floor((c.endMs - start) / bucketMs))].push(c.endMs - c.startMs)
  }
  return {
    tSeconds: Array.from({ length: buckets }, (_, i) => ((i + 1) * bucketMs) / 1000),
    ms: byBucket.map((list) => list.length === 0 ? null : quantileSorted(Float64Array.from(list).sort(), q))
  }
}
