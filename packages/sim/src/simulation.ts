/**
 * One simulation run: a scenario's network started afresh on 127.0.0.1, a coordinator streaming the MNIST MLP
 * through it under one policy for the scenario's duration, and the scenario's timeline applied on schedule —
 * nodes slowing down, leaving, joining, a layer's load growing. Each policy gets its own network, so every
 * policy meets the same events from the same start.
 */
import { performance } from 'node:perf_hooks'
import type { ReconfigureEvent } from '@tessera/scheduler'
import { roundTo } from '@tessera/report'
import { createCoordinator } from '@tessera/coordinator'
import type { CoordinatorInit, ReconfigureRunOptions, RunJobOptions, RunResult, TimelineEntry } from '@tessera/coordinator'
import { InvalidRunOptionError } from '@tessera/coordinator'
import { startLocalNetwork } from './local-network.js'
import type { LocalNetwork, LocalNetworkInit } from './local-network.js'
import type { NodeSelector, Scenario, ScenarioEvent } from './scenario.js'
import type { MnistWorkload } from '@tessera/coordinator'
import { sleep } from './sleep.js'
import { RECOVERY_BASELINE_MS, RECOVERY_STEP_MS, RECOVERY_WINDOW_MS } from './constants.js'
import { measureRecovery } from './recovery.js'
import type { Recovery } from './recovery.js'

/** Longest wait for the scenario's starting nodes' records. */
const SIM_DISCOVERY_TIMEOUT_MS = 60_000
/** Wait after discovery so that every node's load gossip has arrived (two push periods). */
const SIM_SETTLE_MS = 2_500
/** Cap on requests of a timed run (the duration ends it long before). */
const SIM_MAX_REQUESTS = 200_000

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
  /** Told when the policy's fresh network is up, before discovery (live views watch its coordinator node). */
  onNetwork?: (net: LocalNetwork) => void
  /** Passed to the coordinator: every load sample a peer gossips to it. */
  onPeerSample?: CoordinatorInit['onPeerSample']
  /** Passed to the run: a live view of it once it is placed. */
  onLiveRun?: RunJobOptions['onLiveRun']
}

/** A scenario event as it happened. */
export interface FiredEvent {
  kind: ScenarioEvent['kind']
  /** Coordinator clock, ms. */
  atMs: number
  /** In words, with the node names it hit. */
  label: string
  /** Scenario node ids it hit. */
  nodes: string[]
  /** Why applying it failed, if it did. */
  error?: string
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
  /** Network start-up and discovery, ms (wall clock). */
  setupMs: number
}

/** The nodes a selector names now: explicit ids, or the busiest running ones by calls served (relay excluded). */
function selectNodes (selector: NodeSelector, net: LocalNetwork, served: Map<string, number>, gone: ReadonlySet<string>): string[] {
  if (Array.isArray(selector)) return selector
  const relay = net.scenario.nodes.find((n) => n.relay === true)?.id
  const candidates = [...net.nodes.keys()].filter((id) => id !== relay && !gone.has(id))
  const callsOf = (id: string): number => served.get(net.nodes.get(id)?.peerId.toString() ?? '') ?? 0
  return candidates.sort((a, b) => callsOf(b) - callsOf(a) || (a < b ? -1 : a > b ? 1 : 0)).slice(0, selector.busiest)
}

function describe (e: ScenarioEvent, ids: string[]): string {
  switch (e.kind) {
    case 'slowdown': return `${ids.join(', ')} slow to 1/${e.factor}`
    case 'leave': return `${ids.join(', ')} leave`
    case 'join': return `${ids.join(', ')} join`
    case 'hotspot': return `${e.layer} load ×${e.factor}`
  }
}

/** Runs one policy through a scenario with a timeline. Throws {@link InvalidRunOptionError} without `durationMs`. */
export async function simulatePolicy (init: SimulateInit): Promise<SimulationRun> {
  const { scenario, policy, workload } = init
  if (scenario.durationMs === undefined) throw new InvalidRunOptionError(`scenario ${scenario.name} has no durationMs: it is not a simulation`)
  const setupStart = performance.now()
  const clock = (): number => performance.timeOrigin + performance.now()
  const net = await startLocalNetwork(scenario, { ...init.network, ...(init.onPhase !== undefined ? { onPhase: init.onPhase } : {}) })
  init.onNetwork?.(net)
  const coordinator = createCoordinator({ node: net.coordinatorNode, emulatedDelayMs: net.delayByPeerId, ...(init.onPeerSample !== undefined ? { onPeerSample: init.onPeerSample } : {}) })
  const fired: FiredEvent[] = []
  const gone = new Set<string>()
  try {
    const starting = scenario.nodes.filter((n) => n.standby !== true).length
    await coordinator.discover({ minPeers: starting, timeoutMs: SIM_DISCOVERY_TIMEOUT_MS })
    await sleep(SIM_SETTLE_MS)
    const setupMs = performance.now() - setupStart
    const timeline: TimelineEntry[] = (scenario.timeline ?? []).map((e) => ({
      atMs: e.atMs,
      label: e.kind,
      apply: async (control) => {
        const ids = e.kind === 'hotspot' ? [] : e.kind === 'join' ? e.nodes : selectNodes(e.nodes, net, control.callsServed(), gone)
        const event: FiredEvent = { kind: e.kind, atMs: clock(), label: describe(e, ids), nodes: ids }
        fired.push(event)
        init.onPhase?.(`t+${((event.atMs - startMs) / 1000).toFixed(1)} s: ${event.label}`)
        try {
          switch (e.kind) {
            case 'slowdown':
              await Promise.all(ids.map(async (id) => {
                const node = scenario.nodes.find((n) => n.id === id)
                if (node === undefined) throw new InvalidRunOptionError(`unknown node ${id}`)
                await net.setSpeed(id, node.macsPerSecond / e.factor)
              }))
              break
            case 'leave':
              for (const id of ids) gone.add(id)
              await Promise.all(ids.map(async (id) => { await net.stopNode(id) }))
              break
            case 'join':
              await Promise.all(ids.map(async (id) => { await net.startNode(id) }))
              break
            case 'hotspot':
              // As many more requests through the layer as (factor − 1) times the job's own: at that arrival rate
              // in an open-loop run, in that many more lanes in a closed-loop one.
              control.loadLayer(e.layer, Math.max(1, Math.round((e.factor - 1) * scenario.batchesInFlight)),
                scenario.arrivalRps === undefined ? undefined : (e.factor - 1) * scenario.arrivalRps)
              break
          }
        } catch (err) {
          event.error = (err as Error)?.message ?? String(err)
          throw err
        }
      }
    }))
    let startMs = Number.NaN
    const result = await coordinator.run({
      job: workload.job,
      policy,
      inputs: workload.inputs,
      labels: workload.labels,
      requests: SIM_MAX_REQUESTS,
      durationMs: scenario.durationMs,
      ...(scenario.arrivalRps !== undefined ? { arrivalRps: scenario.arrivalRps } : {}),
      batchSize: scenario.batchSize,
      batchesInFlight: scenario.batchesInFlight,
      replicas: scenario.replicas ?? 1,
      seed: scenario.seed,
      runId: `${scenario.seed}/${scenario.name}/${policy}`,
      timeline,
      onPlaced: () => { startMs = clock() },
      ...(init.reconfigure !== undefined ? { reconfigure: init.reconfigure } : {}),
      ...(init.onReconfigureEvent !== undefined ? { onReconfigureEvent: init.onReconfigureEvent } : {}),
      ...(init.onLiveRun !== undefined ? { onLiveRun: init.onLiveRun } : {})
    })
    startMs = result.recorder.startMs
    return { policy: result.policy, result, fired, nodeIdOf: net.nodeIdOf, startMs, plannedEndMs: startMs + scenario.durationMs, setupMs }
  } finally {
    await coordinator.stop()
    await net.stop()
  }
}

/** One policy's row of `tessera sim --json` (the contract checked from outside). */
export interface SimPolicyRow {
  policy: string
  throughputRps: number
  latencyP95Ms: number
  requestsLost: number
  requestsDuplicated: number
  /** From the first disruptive event to throughput back within 10% of before (see `measureRecovery`); null if never. */
  recoveryMs: number | null
  /** Migrations decided (re-placements of lost copies, replications and evictions are not migrations). */
  migrations: number
}

/** The first event that takes capacity away or adds load (not a join): recovery is measured from it. */
export function disruptionOf (run: SimulationRun): FiredEvent | undefined {
  return run.fired.find((e) => e.kind !== 'join')
}

/** Recovery of a run after its first disruptive event (undefined without one). */
export function recoveryOf (run: SimulationRun): Recovery | undefined {
  const event = disruptionOf(run)
  if (event === undefined) return undefined
  return measureRecovery({
    answeredAtMs: run.result.recorder.answeredAtMs,
    startMs: run.startMs,
    eventAtMs: event.atMs,
    endMs: run.plannedEndMs,
    windowMs: RECOVERY_WINDOW_MS,
    stepMs: RECOVERY_STEP_MS,
    baselineMs: RECOVERY_BASELINE_MS
  })
}


/** The `--json` row of one run. */
export function simRowOf (run: SimulationRun): SimPolicyRow {
  const m = run.result.metrics
  const recovery = recoveryOf(run)
  return {
    policy: run.policy,
    throughputRps: roundTo(m.throughputRps, 2),
    latencyP95Ms: roundTo(m.latencyP95Ms, 2),
    requestsLost: m.requestsLost,
    requestsDuplicated: m.requestsDuplicated,
    recoveryMs: recovery === undefined || recovery.recoveryMs === null ? null : Math.round(recovery.recoveryMs),
    migrations: run.result.events.filter((e) => e.type === 'migrate').length
  }
}
