/**
 * One seed of one scenario for `tessera paper`: the scenario's network started once on 127.0.0.1 with the seed's
 * node keys, then every policy in turn on it (as `tessera demo` does): a closed-loop saturation run, then
 * open-loop runs at rising offered rates (a throughput–latency curve). Each run programs its own placement and
 * releases it at the end, so the policies meet the same network one after another.
 */
import { performance } from 'node:perf_hooks'
import { createCoordinator } from '@tessera/coordinator'
import type { MnistWorkload, RunMetrics, RunResult } from '@tessera/coordinator'
import { SCENARIO_DISCOVERY_TIMEOUT_MS, SCENARIO_MAX_REQUESTS, SCENARIO_SETTLE_MS } from '../constants.js'
import { startLocalNetwork } from '../local-network.js'
import type { Scenario } from '../scenario.js'
import { sleep } from '../sleep.js'
import { openLoopBatchSize } from './plan.js'
import type { PaperRunPlan } from './plan.js'

/**
 * Before the measured runs, one short closed-loop run of this policy, not counted: the first run on a fresh network
 * pays for compiling the kernels of every executor thread and the coordinator's code and for the first streams
 * (its shard calls' p95 was 2–8× the next run's in a trial on the default scenario), and without it that cost fell
 * on whichever policy came first — tessera. round-robin places on every node, so every executor is warmed.
 */
const WARM_UP_POLICY = 'round-robin'
const WARM_UP_MS = 1000
/** A rate is sustained when the achieved rate is at least this fraction of the offered one and nothing is lost. */
export const SUSTAINED_FRACTION = 0.9

/** The figures of one run that the paper report aggregates. */
export interface RunFigures extends Pick<RunMetrics, 'requests' | 'answered' | 'requestsLost' | 'throughputRps' | 'latencyP50Ms' | 'latencyP95Ms' | 'memoryUtilisation' | 'resourceUtilisation' | 'accuracy'> {
  /** Requests answered with the right label (accuracy × answered). */
  correct: number
}

/** One point of an open-loop curve. */
export interface OpenLoopPoint extends RunFigures {
  offeredRps: number
  /** Requests per batch of this run ({@link openLoopBatchSize}). */
  batchSize: number
  /**
   * Answers ÷ (time from the first answer to the last + one batch interval), at most the offered rate: the rate
   * the run kept up, without the pipeline's fill and drain (the first batch's latency and the last one's).
   */
  achievedRps: number
  sustained: boolean
}

/** One policy under one seed. */
export interface PolicySeedRun {
  policy: string
  closedLoop: RunFigures
  /** The offered rates in rising order; a rate above the closed-loop throughput, or after one not sustained, is not run (null). */
  openLoop: Array<OpenLoopPoint | null>
  planDescription: string
}

/** Everything measured under one seed. */
export interface SeedRun {
  scenario: string
  seed: string
  policies: PolicySeedRun[]
  /** Wall clock: network start-up and discovery, and each policy's runs, ms. */
  networkStartMs: number
  runMs: Record<string, number>
}

/** Options of {@link measureSeed}. */
export interface MeasureSeedInit {
  /** The scenario with the seed applied (`applyOverrides(scenario, { seed })`). */
  scenario: Scenario
  policies: readonly string[]
  plan: PaperRunPlan
  /** Offered rates of the open-loop runs, requests/s, rising. */
  offeredRps: readonly number[]
  workload: Pick<MnistWorkload, 'job' | 'inputs' | 'labels'>
  onPhase?: (line: string) => void
}

/** The figures of a run's metrics. */
export function figuresOf (result: RunResult): RunFigures {
  const m = result.metrics
  return {
    requests: m.requests,
    answered: m.answered,
    requestsLost: m.requestsLost,
    throughputRps: m.throughputRps,
    latencyP50Ms: m.latencyP50Ms,
    latencyP95Ms: m.latencyP95Ms,
    memoryUtilisation: m.memoryUtilisation,
    resourceUtilisation: m.resourceUtilisation,
    accuracy: m.accuracy,
    correct: Number.isFinite(m.accuracy) ? Math.round(m.accuracy * m.answered) : 0
  }
}

/** The rate an open-loop run kept up (see {@link OpenLoopPoint.achievedRps}). */
export function achievedRate (answeredAtMs: readonly number[], batchSize: number, offeredRps: number): number {
  if (answeredAtMs.length === 0) return 0
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const t of answeredAtMs) {
    if (t < first) first = t
    if (t > last) last = t
  }
  // Never more than the offered rate: answers bunched after a stall of the host would otherwise read as a run
  // that kept up with more than arrived.
  return Math.min(offeredRps, answeredAtMs.length / ((last - first) / 1000 + batchSize / offeredRps))
}

/** Runs every policy of `init` on one freshly started network of the scenario. */
export async function measureSeed (init: MeasureSeedInit): Promise<SeedRun> {
  const { scenario, plan, workload } = init
  const say = init.onPhase ?? (() => {})
  const t0 = performance.now()
  const net = await startLocalNetwork(scenario)
  const coordinator = createCoordinator({ node: net.coordinatorNode, emulatedDelayMs: net.delayByPeerId })
  const policies: PolicySeedRun[] = []
  const runMs: Record<string, number> = {}
  let networkStartMs = 0
  try {
    await coordinator.discover({ minPeers: scenario.nodes.filter((n) => n.standby !== true).length, timeoutMs: SCENARIO_DISCOVERY_TIMEOUT_MS })
    networkStartMs = performance.now() - t0
    await sleep(SCENARIO_SETTLE_MS)
    const common = { job: workload.job, inputs: workload.inputs, labels: workload.labels, requests: SCENARIO_MAX_REQUESTS, replicas: scenario.replicas ?? 1, seed: scenario.seed }
    await coordinator.run({
      ...common,
      policy: WARM_UP_POLICY,
      durationMs: WARM_UP_MS,
      batchSize: plan.closedLoopBatchSize,
      batchesInFlight: plan.closedLoopBatchesInFlight,
      runId: `${scenario.seed}/paper/warm-up`
    })
    for (const policy of init.policies) {
      const p0 = performance.now()
      const closed = await coordinator.run({
        ...common,
        policy,
        durationMs: plan.closedLoopMs,
        batchSize: plan.closedLoopBatchSize,
        batchesInFlight: plan.closedLoopBatchesInFlight,
        runId: `${scenario.seed}/paper/${policy}/closed`
      })
      const closedLoop = figuresOf(closed)
      say(`${scenario.name} ${scenario.seed} ${policy}: closed loop ${closedLoop.throughputRps.toFixed(1)} req/s, p95 ${closedLoop.latencyP95Ms.toFixed(0)} ms`)
      const openLoop: Array<OpenLoopPoint | null> = []
      let stop = false
      for (const offeredRps of init.offeredRps) {
        // A rate above what the saturation run reached cannot be sustained; running it only builds a backlog.
        if (stop || offeredRps > closedLoop.throughputRps) {
          openLoop.push(null)
          continue
        }
        const batchSize = openLoopBatchSize(plan, offeredRps)
        const open = await coordinator.run({
          ...common,
          policy,
          durationMs: plan.openLoopMs,
          arrivalRps: offeredRps,
          batchSize,
          batchesInFlight: plan.openLoopBatchesInFlight,
          runId: `${scenario.seed}/paper/${policy}/open-${offeredRps.toFixed(2)}`
        })
        const figures = figuresOf(open)
        const achievedRps = achievedRate(open.recorder.answeredAtMs, batchSize, offeredRps)
        const sustained = figures.requestsLost === 0 && achievedRps >= SUSTAINED_FRACTION * offeredRps
        openLoop.push({ ...figures, offeredRps, batchSize, achievedRps, sustained })
        say(`${scenario.name} ${scenario.seed} ${policy}: offered ${offeredRps.toFixed(1)} req/s, kept up ${achievedRps.toFixed(1)}, p95 ${figures.latencyP95Ms.toFixed(0)} ms${sustained ? '' : ' (not sustained)'}`)
        if (!sustained) stop = true
      }
      policies.push({ policy, closedLoop, openLoop, planDescription: closed.planDescription })
      runMs[policy] = performance.now() - p0
    }
  } finally {
    await coordinator.stop()
    await net.stop()
  }
  return { scenario: scenario.name, seed: scenario.seed, policies, networkStartMs, runMs }
}
