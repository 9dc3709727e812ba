/**
 * The live part of a run: program the placement, start the reconfiguration loop and the timeline, stream the
 * requests, then stop everything and release the run's copies — whatever happened.
 */
import type { LayerLoadStats } from './layer-load.js'
import { runPipeline } from './pipeline.js'
import { programPlacement } from './program.js'
import type { ReconfigureLoop } from './reconfigure-loop.js'
import { releaseAll } from './release.js'
import type { AnswerSheet } from './answer-sheet.js'
import type { RunContext } from './run-context.js'
import { createRunControl } from './run-control.js'
import type { RunControlHandle } from './run-control.js'
import { runErrorOf } from './run-errors.js'
import type { RunJobOptions } from './run-options.js'
import { startRunReconfiguration } from './run-reconfigure.js'
import { startLeaseRenewal } from './lease-renewal.js'
import type { LeaseRenewal } from './lease-renewal.js'
import { startTimeline } from './timeline.js'
import type { Timeline } from './timeline.js'
import type { RunParameters } from './validate-options.js'
import { streamLimits } from './validate-options.js'

/** What the live part of a run leaves behind. */
export interface StreamOutcome {
  /** Shard id → peers holding it after programming. */
  placement: Record<string, string[]>
  /** Requests started (those a run stopped on time answers for). */
  started: number
  loop?: ReconfigureLoop
  layerLoad: LayerLoadStats
}

/** What is running while requests stream, stopped in this order at the end. */
interface Running {
  timeline?: Timeline
  control?: RunControlHandle
  loop?: ReconfigureLoop
  leases?: LeaseRenewal
}

/** Stops the timeline, the layer loads and the loop, closes the recorder's interval and releases every copy. */
async function finishRun (ctx: RunContext, running: Running): Promise<LayerLoadStats> {
  // Entries not due are cancelled first, so none starts a layer load after the loads have stopped.
  const applied = running.timeline?.stop()
  const layerLoad = await running.control?.stop() ?? { batches: 0, failed: 0 }
  await applied
  await running.loop?.stop()
  await running.leases?.stop()
  if (!Number.isFinite(ctx.recorder.startMs)) ctx.recorder.startMs = ctx.now()
  if (!Number.isFinite(ctx.recorder.endMs)) ctx.recorder.endMs = ctx.now()
  await releaseAll(ctx)
  return layerLoad
}

/** Programs `assignments`, streams the run's requests into `sheet` and cleans up (see the module comment). */
export async function streamRun (ctx: RunContext, options: RunJobOptions, params: RunParameters, assignments: ReadonlyMap<string, readonly string[]>, sheet: AnswerSheet): Promise<StreamOutcome> {
  const { recorder } = ctx
  const running: Running = {}
  let placement: Record<string, string[]> = {}
  let started = params.requests
  let layerLoad: LayerLoadStats
  try {
    await programPlacement(ctx, assignments)
    placement = Object.fromEntries([...ctx.shards.values()].map((s) => [s.spec.id, [...s.holders]]))
    options.onPlaced?.(placement)
    recorder.startMs = ctx.now()
    running.loop = startRunReconfiguration(ctx, options)
    running.leases = startLeaseRenewal(ctx)
    running.control = createRunControl(ctx, { job: options.job, batchSize: params.batchSize, inputs: options.inputs, seed: params.seed })
    running.timeline = startTimeline(options.timeline ?? [], running.control.control, (entry, err) => { ctx.errors.push(runErrorOf('timeline', err, { label: entry.label })) })
    const limits = streamLimits(options, params.requests)
    const outcome = await runPipeline(ctx, {
      job: options.job,
      inputs: options.inputs,
      requests: limits.requests,
      batchSize: params.batchSize,
      batchesInFlight: params.batchesInFlight,
      ...(limits.stopAt !== undefined ? { signal: limits.stopAt } : {}),
      ...(limits.arrivalRps !== undefined ? { arrivalRps: limits.arrivalRps } : {}),
      onAnswer: (first, n, out) => {
        sheet.record(first, n, out)
        recorder.answered(n, ctx.now())
        options.onProgress?.(sheet.answered, limits.requests)
      },
      onBatchFailed: (first, n, err) => { ctx.errors.push(runErrorOf('batch', err, { firstRequest: first, requestCount: n })) }
    })
    started = outcome.started
    recorder.endMs = ctx.now()
  } finally {
    layerLoad = await finishRun(ctx, running)
  }
  return { placement, started, layerLoad, ...(running.loop !== undefined ? { loop: running.loop } : {}) }
}
