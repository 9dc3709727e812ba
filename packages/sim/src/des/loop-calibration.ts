/**
 * The event-loop work of a shard call on the loopback harness, measured on a short real run: a scenario's network
 * with its coordinator streaming the job under a baseline policy (no reconfiguration loop), the loop's CPU time over
 * the stream divided by the calls made. Every node's stack and the coordinator share that loop, so the figure holds
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

/** Length of the measured stream, ms. */
const STREAM_MS = 10_000
/** The baseline measured (no reconfiguration loop, no verification). */
const POLICY = 'round-robin'

/** Streams `workload` through the scenario's network for 10 s and measures the loop's work per call. */
export async function measureCallLoopWork (scenario: Scenario, workload: Pick<MnistWorkload, 'job' | 'inputs' | 'labels'>, publicationWorkMs = 0): Promise<CallLoopCalibration> {
  const session = await openScenario(scenario)
  try {
    let meter: (() => LoopUse) | undefined
    let streamStartMs = Number.NaN
    const result = await session.coordinator.run({
      ...scenarioRunOptions(scenario, workload, POLICY),
      requests: 1_000_000,
      durationMs: STREAM_MS,
      ...(scenario.arrivalRps !== undefined ? { arrivalRps: scenario.arrivalRps } : {}),
      runId: `${scenario.seed}/loop-calibration`,
      onPlaced: () => {
        streamStartMs = performance.timeOrigin + performance.now()
        meter = startLoopMeter()
      },
      verify: false
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
