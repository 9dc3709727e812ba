/**
 * Follows a coordinator's run for the dashboard: reads the run's live view (packages/coordinator/src/live-run.ts)
 * a couple of times a second — copies per shard, the metrics as they stand, throughput and latency over time,
 * all from the run's own recorder — takes every reconfiguration decision as it is made, and the final metrics
 * from the run's result.
 */
import { performance } from 'node:perf_hooks'
import { describeRunError, latencySeries, throughputSeries } from '@tessera/coordinator'
import type { LiveRun, RunMetrics, RunRecorder, RunResult } from '@tessera/coordinator'
import type { ReconfigureEvent } from '@tessera/scheduler'
import { describeError } from '@tessera/errors'
import { DASHBOARD_MAX_JOB_ERRORS, DASHBOARD_RUN_POLL_MS, DASHBOARD_SERIES } from './constants.js'
import type { DashboardStore } from './store.js'
import type { DashboardMetrics, DashboardSeries } from './types.js'

/** The coordinator's clock (its default): decisions and recorder times are on it. */
function coordinatorNow (): number {
  return performance.timeOrigin + performance.now()
}

function finiteOrNull (x: number): number | null {
  return Number.isFinite(x) ? x : null
}

/** Throughput and latency quantiles per bucket, the newest {@link DASHBOARD_SERIES.maxPoints} points. */
export function seriesOf (recorder: RunRecorder): DashboardSeries {
  const t = throughputSeries(recorder, DASHBOARD_SERIES.bucketMs, DASHBOARD_SERIES.throughputWindowMs)
  const p50 = latencySeries(recorder, DASHBOARD_SERIES.bucketMs, 0.5)
  const p95 = latencySeries(recorder, DASHBOARD_SERIES.bucketMs, 0.95)
  const from = Math.max(0, t.tSeconds.length - DASHBOARD_SERIES.maxPoints)
  return {
    tSeconds: t.tSeconds.slice(from),
    throughputRps: t.rps.slice(from),
    latencyP50Ms: p50.ms.slice(from),
    latencyP95Ms: p95.ms.slice(from)
  }
}

/** The dashboard's figures of a run's final metrics. */
export function finalMetrics (m: RunMetrics): DashboardMetrics {
  return {
    throughputRps: m.throughputRps,
    latencyP50Ms: finiteOrNull(m.latencyP50Ms),
    latencyP95Ms: finiteOrNull(m.latencyP95Ms),
    memoryUtilisation: m.memoryUtilisation,
    resourceUtilisation: m.resourceUtilisation,
    accuracy: finiteOrNull(m.accuracy),
    answered: m.answered,
    requestsLost: m.requestsLost,
    shardCalls: m.shardCalls,
    failedCalls: m.failedCalls,
    replacements: m.replacements
  }
}

/** Follows one coordinator run after another into a dashboard store. */
export class RunWatch {
  private readonly store: DashboardStore
  private live?: LiveRun
  private timer?: ReturnType<typeof setInterval>
  private readonly pollMs: number

  constructor (store: DashboardStore, pollMs = DASHBOARD_RUN_POLL_MS) {
    this.store = store
    this.pollMs = pollMs
  }

  /** A run started (the coordinator's `onLiveRun`). */
  started (live: LiveRun): void {
    this.stopPolling()
    this.live = live
    this.store.job = {
      runId: live.runId, policy: live.policy, plan: live.planDescription, phase: 'placing', requests: live.requests,
      startedAtMs: null, endedAtMs: null, metrics: null, placement: [], series: { tSeconds: [], throughputRps: [], latencyP50Ms: [], latencyP95Ms: [] }, errors: []
    }
    this.store.departed = []
    this.store.callsByPeer = {}
    this.refresh()
    this.timer = setInterval(() => { this.refresh() }, this.pollMs)
    this.timer.unref()
  }

  /** A reconfiguration decision (the run's `onReconfigureEvent`). */
  decision (event: ReconfigureEvent): void {
    const startMs = this.live?.recorder.startMs ?? Number.NaN
    this.store.decision({
      runId: this.live?.runId ?? '',
      policy: this.live?.policy ?? '',
      atMs: event.atMs,
      tSeconds: Number.isFinite(startMs) ? Math.max(0, (event.atMs - startMs) / 1000) : null,
      type: event.type,
      shardId: event.type === 'admit' ? null : event.shardId,
      from: event.type === 'admit' ? null : event.from ?? null,
      to: event.to ?? null,
      reason: event.reason,
      predictedGain: event.predictedGain
    })
  }

  /** The run returned: its final metrics and series replace the live ones. */
  finished (result: RunResult): void {
    this.refresh()
    this.stopPolling()
    const job = this.store.job
    if (job === null) return
    job.phase = 'done'
    job.endedAtMs = finiteOrNull(result.recorder.endMs)
    job.metrics = finalMetrics(result.metrics)
    job.series = seriesOf(result.recorder)
    job.errors = result.errors.slice(-DASHBOARD_MAX_JOB_ERRORS).map(describeRunError)
    this.store.callsByPeer = { ...result.metrics.callsByPeer }
    this.store.runs.push({ runId: job.runId, policy: job.policy, metrics: job.metrics, durationMs: result.metrics.durationMs })
    this.store.changed()
  }

  /** The run threw: it ends here, and the page says why. */
  failed (err: unknown): void {
    this.refresh()
    this.stopPolling()
    if (this.store.job !== null) this.store.job.phase = 'done'
    this.store.notice('error', `run ${this.store.job?.runId ?? ''} failed: ${describeError(err)}`)
  }

  stop (): void {
    this.stopPolling()
  }

  private stopPolling (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Reads the live run into the store now (a timer does it every poll period while the run goes). */
  refresh (): void {
    const live = this.live
    const job = this.store.job
    if (live === undefined || job === null || job.phase === 'done') return
    const nowMs = coordinatorNow()
    const recorder = live.recorder
    // Once the stream has ended the copies are being released: the page keeps the placement the run ended with.
    if (!Number.isFinite(recorder.endMs)) job.placement = live.copies().map((c) => ({ shardId: c.shardId, active: c.active, programming: c.programming, draining: c.draining }))
    this.store.departed = live.departed()
    job.errors = live.errors.slice(-DASHBOARD_MAX_JOB_ERRORS).map(describeRunError)
    const m = live.metricsAt(nowMs)
    if (m !== undefined) {
      job.phase = 'streaming'
      job.startedAtMs = recorder.startMs
      job.metrics = {
        throughputRps: m.throughputRps, latencyP50Ms: finiteOrNull(m.latencyP50Ms), latencyP95Ms: finiteOrNull(m.latencyP95Ms),
        memoryUtilisation: m.memoryUtilisation, resourceUtilisation: m.resourceUtilisation, accuracy: null, answered: m.answered,
        requestsLost: m.requestsLost, shardCalls: m.shardCalls, failedCalls: m.failedCalls, replacements: m.replacements
      }
      job.series = seriesOf(live.recorderAt(nowMs))
      this.store.callsByPeer = { ...m.callsByPeer }
    }
    this.store.changed()
  }
}
