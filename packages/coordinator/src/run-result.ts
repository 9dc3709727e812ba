/** What a run hands back: metrics, answers, placement, errors and reconfiguration decisions. */
import type { PeerView, ReconfigureEvent } from '@tessera/scheduler'
import type { LayerLoadStats } from './layer-load.js'
import type { RunMetrics, RunRecorder } from './metrics.js'
import type { RunError } from './run-errors.js'

/** The outcome of one run. */
export interface RunResult {
  policy: string
  planDescription: string
  metrics: RunMetrics
  /** Answers per request (1 = exactly once). */
  answers: Uint8Array
  predictions: Uint8Array
  /** `requests × classes` logits (zeros where unanswered). */
  logits: Float32Array
  /** Shard id → peers holding it after programming. */
  placement: Record<string, string[]>
  /** The peers as the policy saw them when placing. */
  peers: PeerView[]
  recorder: RunRecorder
  /**
   * What went wrong, in order: lost batches, timeline entries that failed, reconfiguration steps that threw,
   * discovery and release failures (failed uploads are in `recorder.uploadFailures`). `describeRunError` words one.
   */
  errors: RunError[]
  /** Reconfiguration decisions, in order (empty without the loop). */
  events: ReconfigureEvent[]
  /** Batches of layer-only load (hotspots) answered and failed. */
  layerLoad: LayerLoadStats
}
