/**
 * A run as it goes, for live views (the CLI's dashboard): everything is read on demand from the run's own state —
 * the recorder its metrics come from and the copies its calls are routed to — so a view shows the numbers the
 * run's result will report, as they stand.
 */
import { computeRunMetrics } from './metrics.js'
import type { RunMetrics, RunRecorder } from './metrics.js'
import type { RunError } from './run-errors.js'

/** Where one shard's copies are now (peer ids). */
export interface LiveShardCopies {
  shardId: string
  /** Copies that take calls, primary first. */
  active: string[]
  /** Copies being uploaded (no calls yet). */
  programming: string[]
  /** Copies finishing their calls before they are released. */
  draining: string[]
}

/** The metrics of a run so far: those of {@link RunMetrics} that mean something before the run ends. */
export type LiveRunMetrics = Pick<RunMetrics, 'answered' | 'durationMs' | 'throughputRps' | 'latencyP50Ms' | 'latencyP95Ms' | 'memoryUtilisation' |
'resourceUtilisation' | 'shardCalls' | 'failedCalls' | 'replacements' | 'peersHoldingShards' | 'busyMsByPeer' | 'callsByPeer'> & {
  /** Requests of batches that failed so far (the result's `requestsLost` also counts requests never started). */
  requestsLost: number
}

/** A live view of one run (see `RunJobOptions.onLiveRun`). */
export interface LiveRun {
  readonly runId: string
  readonly policy: string
  readonly planDescription: string
  /** Requests asked for (a timed run may start fewer). */
  readonly requests: number
  /** The run's recorder: calls, answers and allocations as they happen (`startMs` is NaN until streaming starts). */
  readonly recorder: RunRecorder
  /** What went wrong in the run so far (lost batches among them). */
  readonly errors: readonly RunError[]
  /** Every shard's copies now, in plan order. */
  copies: () => LiveShardCopies[]
  /** Peers the run has given up on (they left, or refused a re-dial). */
  departed: () => string[]
  /**
   * The recorder as if the run ended at `nowMs` (the same arrays, only the end time differs), for the series
   * functions of `metrics.ts`; the recorder itself once the run has ended.
   */
  recorderAt: (nowMs: number) => RunRecorder
  /** The metrics as they stand at `nowMs`; undefined before the first batch. */
  metricsAt: (nowMs: number) => LiveRunMetrics | undefined
}

/** The parts of a run's state a live view reads (structural, so the run's own types stay its business). */
export interface LiveRunSource {
  runId: string
  policy: string
  planDescription: string
  requests: number
  recorder: RunRecorder
  /** The run's errors as they are added (a lost batch's requests count as lost). */
  errors: readonly RunError[]
  shards: ReadonlyMap<string, { spec: { id: string }, holders: readonly string[], programming: readonly string[], draining: readonly string[] }>
  dead: ReadonlySet<string>
}

/** Requests of the batches that failed so far (each failed batch is one `batch` error naming its request count). */
function requestsLostIn (errors: readonly RunError[]): number {
  let lost = 0
  for (const e of errors) if (e.kind === 'batch') lost += e.requestCount ?? 0
  return lost
}

/** Builds the live view of a run from its state. */
export function liveRunOf (source: LiveRunSource): LiveRun {
  const { recorder } = source
  const recorderAt = (nowMs: number): RunRecorder => {
    if (Number.isFinite(recorder.endMs)) return recorder
    // A view that shares the recorder's arrays (inherited) and ends at nowMs: nothing is copied, nothing changed.
    const view = Object.create(recorder) as RunRecorder
    view.endMs = Math.max(nowMs, recorder.startMs)
    return view
  }
  return {
    runId: source.runId,
    policy: source.policy,
    planDescription: source.planDescription,
    requests: source.requests,
    recorder,
    errors: source.errors,
    copies: () => [...source.shards.values()].map((s) => ({ shardId: s.spec.id, active: [...s.holders], programming: [...s.programming], draining: [...s.draining] })),
    departed: () => [...source.dead],
    recorderAt,
    metricsAt: (nowMs) => {
      if (!Number.isFinite(recorder.startMs)) return undefined
      const answered = recorder.answeredAtMs.length
      // Every answer so far counts once; accuracy and never-started requests are known only at the end.
      const m = computeRunMetrics(recorderAt(nowMs), { answers: new Uint8Array(answered).fill(1), predictions: new Uint8Array(answered) })
      return {
        answered,
        durationMs: m.durationMs,
        throughputRps: m.throughputRps,
        latencyP50Ms: m.latencyP50Ms,
        latencyP95Ms: m.latencyP95Ms,
        memoryUtilisation: m.memoryUtilisation,
        resourceUtilisation: m.resourceUtilisation,
        shardCalls: m.shardCalls,
        failedCalls: m.failedCalls,
        replacements: m.replacements,
        peersHoldingShards: m.peersHoldingShards,
        busyMsByPeer: m.busyMsByPeer,
        callsByPeer: m.callsByPeer,
        requestsLost: requestsLostIn(source.errors)
      }
    }
  }
}
