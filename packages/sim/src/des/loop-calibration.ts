/**
 * The event-loop work of a shard call on the loopback harness, measured on short real runs: a scenario's network
 * with its coordinator streaming the job under a policy, the loop's CPU time over the stream divided by the calls
 * made — for a baseline, and for tessera, whose reconfiguration loop, discovery and checks add to it. Every node's stack and the coordinator share that loop, so the figure holds
 * both ends of a call — the request's and the reply's encoding, the stream, the worker's messages, the coordinator's
 * slicing of inputs, adding up of outputs and bookkeeping — and the gossip and timers that come with a run. The
 * simulator makes the loop a first-come-first-served server of this work, so calls sent together (a layer's) queue
 * on it as they do on the real one. Publications that finished during the stream are taken off at their own
 * measured work (publication-calibration.ts).
 */
import type { MnistWorkload } from '@tessera/coordinator'
import { startLoopMeter } from '../loop-meter.js'
import type { LoopUse } from '../loop-meter.js'
import type { Scenario } from '../scenario.js'
import { openScenario, scenarioRunOptions } from '../session.js'

/** What {@link measureCallLoopWork} measured. */
export interface CallLoopCalibration {
  /** CPU time of the event loop per shard call, ms. */
  loopCpuPerCallMs: number
  /** The loop's busy time ÷ its CPU time meanwhile (how much the host's other load stretched it then). */
  loopStretch: number
  /** Calls the measurement made. */
  loopCalls: number
}

/** The loop's CPU time per call of each policy measured, and the stretch over all of them. */
export interface PolicyLoopCalibration {
  /** Per policy measured: CPU time of the event loop per shard call, ms. */
  loopCpuPerCallMsByPolicy: Record<string, number>
  loopStretch: number
  loopCalls: number
}

/**
 * The loop's work per call of a baseline (round-robin: calls, gossip, bookkeeping) and of tessera, whose run adds
 * a reconfiguration step every 500 ms, a discovery round every 3 s and a check of every answer.
 */
export async function measurePolicyLoopWork (scenario: Scenario, workload: Pick<MnistWorkload, 'job' | 'inputs' | 'labels'>, publicationWorkMs = 0): Promise<PolicyLoopCalibration> {
  const byPolicy: Record<string, number> = {}
  let active = 0
  let calls = 0
  for (const policy of MEASURED_POLICIES) {
    const m = await measureCallLoopWork(scenario, workload, publicationWorkMs, policy)
    byPolicy[policy] = m.loopCpuPerCallMs
    active += m.loopStretch * m.loopCalls
    calls += m.loopCalls
  }
  return { loopCpuPerCallMsByPolicy: byPolicy, loopStretch: calls > 0 ? active / calls : 1, loopCalls: calls }
}

/** Length of the measured stream, ms. */
const STREAM_MS = 10_000
/** The policies measured: a baseline (no reconfiguration loop, no verification) and tessera. */
const MEASURED_POLICIES = ['round-robin', 'tessera'] as const

/** Streams `workload` through the scenario's network for 10 s and measures the loop's work per call. */
export async function measureCallLoopWork (scenario: Scenario, workload: Pick<MnistWorkload, 'job' | 'inputs' | 'labels'>, publicationWorkMs = 0, policy = 'round-robin'): Promise<CallLoopCalibration> {
  const session = await openScenario(scenario)
  try {
    let meter: (() => LoopUse) | undefined
    let streamStartMs = Number.NaN
    const result = await session.coordinator.run({
      ...scenarioRunOptions(scenario, workload, policy),
      requests: 1_000_000,
      durationMs: STREAM_MS,
      ...(scenario.arrivalRps !== undefined ? { arrivalRps: scenario.arrivalRps } : {}),
      runId: `${scenario.seed}/loop-calibration/${policy}`,
      onPlaced: () => {
        streamStartMs = performance.timeOrigin + performance.now()
        meter = startLoopMeter()
      },
      // As a simulation runs it: tessera checks every answer, the baselines none.
      verify: policy === 'tessera' ? { secret: `${scenario.seed}/verify` } : false
    })
    const use = meter?.() ?? { activeMs: 0, cpuMs: 0 }
    const stretch = use.cpuMs > 0 ? use.activeMs / use.cpuMs : 1
    const publications = session.net.publishedAtMs.filter((t) => t >= streamStartMs).length
    const calls = result.recorder.calls.length
    const cpuMs = Math.max(0, use.cpuMs - (publications * publicationWorkMs) / stretch)
    return { loopCpuPerCallMs: calls > 0 ? cpuMs / calls : 0, loopStretch: stretch, loopCalls: calls }
  } finally {
    await session.stop()
  }
}
