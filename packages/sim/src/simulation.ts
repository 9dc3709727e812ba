/**
 * One simulation run: a scenario's network started afresh on 127.0.0.1, a coordinator streaming the MNIST MLP
 * through it under one policy for the scenario's duration, and the scenario's timeline applied on schedule —
 * nodes slowing down, leaving, joining, a layer's load growing. Each policy gets its own network, so every
 * policy meets the same events from the same start.
 */
import { performance } from 'node:perf_hooks'
import type { CoordinatorInit, MnistWorkload, ReconfigureRunOptions, RunJobOptions, RunResult } from '@tessera/coordinator'
import type { ReconfigureEvent } from '@tessera/scheduler'
import { SCENARIO_MAX_REQUESTS } from './constants.js'
import { InvalidScenarioError } from './errors.js'
import type { LieLog } from './liars.js'
import type { LocalNetwork, LocalNetworkInit } from './local-network.js'
import type { Scenario } from './scenario.js'
import { scenarioTimeline } from './scenario-timeline.js'
import type { FiredEvent } from './scenario-timeline.js'
import { startLoopMeter } from './loop-meter.js'
import type { LoopUse } from './loop-meter.js'
import { openScenario, scenarioRunOptions } from './session.js'

/** Options of {@link simulatePolicy}. */
export interface SimulateInit {
  scenario: Scenario
  policy: string
  workload: Pick<MnistWorkload, 'job' | 'inputs' | 'labels'>
  /** Reconfiguration settings (default: the coordinator's; on for tessera only). */
  reconfigure?: boolean | ReconfigureRunOptions
  /** Options of the loopback network (tests shorten timers). */
  network?: LocalNetworkInit
  /** Progress messages. */
  onPhase?: (phase: string) => void
  onReconfigureEvent?: (event: ReconfigureEvent) => void
  /** Told when the policy's fresh network is up, before discovery, and awaited (live views watch its coordinator node). */
  onNetwork?: (net: LocalNetwork) => void | Promise<void>
  /** Passed to the coordinator: every load sample a peer gossips to it. */
  onPeerSample?: CoordinatorInit['onPeerSample']
  /** Passed to the run: a live view of it once it is placed. */
  onLiveRun?: RunJobOptions['onLiveRun']
  /** Passed to the run: each peer its verification flags. */
  onPeerFlagged?: RunJobOptions['onPeerFlagged']
  /** Verify every answer (default: the coordinator's, on for tessera only); the secret derives from the scenario seed. */
  verify?: boolean
  /** Every node honest: the scenario's liars tell no lie (the reference run of wrongAnswers). */
  honest?: boolean
}

/** Outcome of {@link simulatePolicy}. */
export interface SimulationRun {
  policy: string
  result: RunResult
  fired: FiredEvent[]
  /** Scenario node id of a peer id (for reports). */
  nodeIdOf: (peerId: string) => string | undefined
  /** Stream start and planned end (start + duration), coordinator clock, ms. */
  startMs: number
  plannedEndMs: number
  /** Network start-up, discovery and the settling wait after it, ms (wall clock). */
  setupMs: number
  /** When each record publication of the network finished, coordinator clock, ms (see `LocalNetwork.publishedAtMs`). */
  publishedAtMs: readonly number[]
  /** The shared event loop's busy time and CPU time from the stream's start to the run's end. */
  eventLoop: LoopUse
  /** Scenario node id of each node that lied in this network → when it first lied (empty when honest). */
  lieLogs: Map<string, LieLog>
}

/** Runs one policy through a scenario with a timeline. Throws {@link InvalidScenarioError} without `durationMs`. */
export async function simulatePolicy (init: SimulateInit): Promise<SimulationRun> {
  const { scenario, policy, workload } = init
  const durationMs = scenario.durationMs
  if (durationMs === undefined) throw new InvalidScenarioError(`scenario ${scenario.name} has no durationMs: it is not a simulation`)
  const setupStart = performance.now()
  const clock = (): number => performance.timeOrigin + performance.now()
  const session = await openScenario(scenario, {
    network: { ...init.network, ...(init.onPhase !== undefined ? { onPhase: init.onPhase } : {}), ...(init.honest === true ? { honest: true } : {}) },
    ...(init.onNetwork !== undefined ? { onNetwork: init.onNetwork } : {}),
    ...(init.onPeerSample !== undefined ? { coordinator: { onPeerSample: init.onPeerSample } } : {})
  })
  const { net, coordinator } = session
  const fired: FiredEvent[] = []
  let startMs = Number.NaN
  let loopUse = startLoopMeter()
  try {
    const setupMs = performance.now() - setupStart
    const timeline = scenarioTimeline(scenario, {
      net,
      clock,
      onFired: (event) => {
        fired.push(event)
        init.onPhase?.(`t+${((event.atMs - startMs) / 1000).toFixed(1)} s: ${event.label}`)
      }
    })
    const result = await coordinator.run({
      ...scenarioRunOptions(scenario, workload, policy),
      requests: SCENARIO_MAX_REQUESTS,
      durationMs,
      ...(scenario.arrivalRps !== undefined ? { arrivalRps: scenario.arrivalRps } : {}),
      runId: `${scenario.seed}/${scenario.name}/${policy}`,
      timeline,
      onPlaced: () => {
        startMs = clock()
        loopUse = startLoopMeter()
      },
      // A seeded secret, so that a simulation's checks repeat (peers never see it: it is not the programming seed).
      verify: (init.verify ?? policy === 'tessera') ? { secret: `${scenario.seed}/verify` } : false,
      ...(init.reconfigure !== undefined ? { reconfigure: init.reconfigure } : {}),
      ...(init.onReconfigureEvent !== undefined ? { onReconfigureEvent: init.onReconfigureEvent } : {}),
      ...(init.onLiveRun !== undefined ? { onLiveRun: init.onLiveRun } : {}),
      ...(init.onPeerFlagged !== undefined ? { onPeerFlagged: init.onPeerFlagged } : {})
    })
    const eventLoop = loopUse()
    startMs = result.recorder.startMs
    return { policy: result.policy, result, fired, nodeIdOf: net.nodeIdOf, startMs, plannedEndMs: startMs + durationMs, setupMs, publishedAtMs: [...net.publishedAtMs], eventLoop, lieLogs: net.lieLogs }
  } finally {
    await session.stop()
  }
}
