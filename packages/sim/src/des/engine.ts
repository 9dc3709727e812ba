/**
 * The discrete-event engine: one policy through one scenario on modelled peers. It follows
 * `simulatePolicy` (packages/sim/src/simulation.ts) step by step — discovery of the starting nodes, a settle of
 * 2.5 s while the gossip arrives, the plan (`planJob`), the policy's placement, programming, then the stream for
 * the scenario's duration with the timeline applied at its times after the first batch — with the real scheduler,
 * reconfiguration step, memories and planner, and the coordinator's glue re-told as events
 * (coordinator-model.ts, pipeline-model.ts, reconfigure-glue.ts, gossip-model.ts). Everything random draws from
 * streams of the seed: one seed, one result.
 */
import { computeRunMetrics, placedSpec, planJob, shardsToPlace, RECENT_BUSY_HORIZON_MS, DEFAULT_BATCH_DEADLINE_MS, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CALLS_PER_PEER } from '@tessera/coordinator'
import type { ModelJob, PeerTarget, RunMetrics } from '@tessera/coordinator'
import { createLongTermMemory, createShortTermMemory } from '@tessera/memory'
import { createRng } from '@tessera/crossbar'
import { createPolicy } from '@tessera/scheduler'
import type { PlacementInput, ReconfigureEvent } from '@tessera/scheduler'
import { SCENARIO_MAX_REQUESTS, SCENARIO_METRICS_INTERVAL_MS, SCENARIO_SETTLE_MS } from '../constants.js'
import { describeScenarioEvent } from '../scenario-timeline.js'
import type { FiredEvent } from '../scenario-timeline.js'
import type { NodeSelector, Scenario } from '../scenario.js'
import { DesCoordinator } from './coordinator-model.js'
import type { DesShard } from './coordinator-model.js'
import { InvalidDesOptionError } from './errors.js'
import type { DesFault } from './faults.js'
import { startGossip } from './gossip-model.js'
import { InvariantChecker } from './invariants.js'
import { desJob } from './job.js'
import type { NetworkModel } from './network-model.js'
import { peerSpecOf } from './population.js'
import { startLayerLoad, startPipeline } from './pipeline-model.js'
import { fullRecorder } from './recorder.js'
import { measureCallReadFactors } from './shard-cost.js'
import { startCoordinatorLoop } from './coordinator-loop.js'
import { DesWorld } from './world.js'
import { discoveryOrder, replacementTargets, replayedPlacement, schedulePublications } from './replay.js'
import type { RealPlacement } from './replay.js'

/** Requests whose inputs measure each call group's cost (a few hundred digits average over their blank rows). */
const READ_FACTOR_VECTORS = 256
/** How often calls past their time-out are failed, ms. */
const TIMEOUT_SWEEP_MS = 250
/** A run still draining this long after its planned end is stopped (and its ledger shows what was left), ms. */
const MAX_DRAIN_MS = 600_000

/** Options of {@link runDesPolicy}. */
export interface DesRunInit {
  scenario: Scenario
  policy: string
  network: NetworkModel
  /** Peer id of each scenario node (see `scenarioPeerIds`). */
  peerIds: ReadonlyMap<string, string>
  /** Faults beyond the scenario's timeline. */
  faults?: readonly DesFault[]
  /** Reconfiguration loop: default on for tessera only, as the coordinator's. */
  reconfigure?: boolean
  /**
   * The job and its request inputs (the loopback simulation's MNIST workload): when given, its real weights are
   * planned and each call group's cost is measured on its inputs (shard-cost.ts); without it, a zero-weight job of
   * the same shapes where every call costs one read per vector.
   */
  workload?: { job: ModelJob, inputs: Float32Array }
  /**
   * The nodes each timeline event hit in a real run, in timeline order (validation replays them: a `busiest`
   * selector ranks nodes by calls served, and near-ties between them fall either way on a loaded host).
   */
  timelineNodes?: ReadonlyArray<readonly string[] | undefined>
  /**
   * The placement a real run made (validation replays it): the scenario nodes in the order its coordinator saw
   * them, and the nodes holding each shard once programmed. Both depend on the order records arrived and on the
   * pings and gossip of that run, which no model of this host reproduces; with them, the simulator's figures
   * compare with the real run's on the same placement.
   */
  placement?: RealPlacement
  /**
   * When a real run's record publications finished, ms after its stream's start (validation replays them): each
   * is work on the harness's one event loop. Without them, the publications the network model measured after
   * discovery (`publicationsAfterDiscoveryMs`), and two per joining node.
   */
  publicationsMs?: readonly number[]
  /** Throw at the first invariant violation (default true). */
  strictInvariants?: boolean
  onReconfigureEvent?: (event: ReconfigureEvent) => void
}

/** Outcome of one simulated policy run. */
export interface DesRun {
  policy: string
  metrics: RunMetrics
  recorder: ReturnType<typeof fullRecorder>
  fired: FiredEvent[]
  events: ReconfigureEvent[]
  startMs: number
  plannedEndMs: number
  nodeIdOf: (peerId: string) => string | undefined
  /** Invariant checks done and what failed (empty when every check held). */
  invariantChecks: number
  violations: string[]
  /** Accepted wrong answers (liars; no verification modelled). */
  wrongAnswers: number
  /** Shard id → peers holding it once programmed (as a real run's `placement`). */
  placement: Record<string, string[]>
  /** Events the engine processed. */
  eventsProcessed: number
  errors: string[]
}

/** Chooses the nodes a selector names now (as `selectNodes`: busiest by calls served, relay excluded, ties by id). */
function selectNodes (selector: NodeSelector, scenario: Scenario, c: DesCoordinator, peerIdOf: (id: string) => string, gone: ReadonlySet<string>): string[] {
  if (Array.isArray(selector)) return selector
  const relay = scenario.nodes.find((n) => n.relay === true)?.id
  const candidates = scenario.nodes.filter((n) => n.standby !== true && n.id !== relay && !gone.has(n.id)).map((n) => n.id)
  const callsOf = (id: string): number => c.served.get(peerIdOf(id)) ?? 0
  return candidates.sort((a, b) => callsOf(b) - callsOf(a) || (a < b ? -1 : a > b ? 1 : 0)).slice(0, selector.busiest)
}

/** Connects to a discovered peer: its record as the coordinator reads it, the path, the measured RTT. */
export function targetOf (world: DesWorld, peerId: string): PeerTarget {
  const peer = world.peers.get(peerId)
  if (peer === undefined) throw new InvalidDesOptionError(`unknown peer ${peerId}`)
  const s = peer.spec
  return {
    peerId,
    record: {
      peerId,
      device: { preset: s.preset, geometry: { rows: s.geometry, cols: s.geometry }, noiseLevel: s.noiseLevel },
      tilesTotal: s.tiles,
      tilesFree: peer.tilesFree,
      throughputGflopPerSecond: (2 * s.macsPerSecond) / 1e9,
      queueDepth: peer.queueDepth,
      reachability: s.path === 'relayed' ? 'private' : 'public',
      natKind: 'none',
      addresses: [],
      sequence: 1,
      issuedAtMs: world.nowMs,
      expiresAtMs: world.nowMs + 120_000
    },
    path: s.path,
    measuredRttMs: world.network.pingRttMs + (s.path === 'relayed' ? world.network.relayHopMs : 0)
  }
}

/** The mutable state of one scenario run, shared by its phases. */
interface ScenarioRun {
  init: DesRunInit
  world: DesWorld
  c: DesCoordinator
  recorder: ReturnType<typeof fullRecorder>
  invariants: InvariantChecker
  peerIdOf: (id: string) => string
  job: ModelJob
  errors: string[]
  fired: FiredEvent[]
  events: ReconfigureEvent[]
  layerLoads: Array<() => void>
  stopLoop: () => void
  placement: Record<string, string[]>
  startMs: number
  started: number
  done: boolean
  pipeline?: ReturnType<typeof startPipeline>
}

/** The scenario's peers in a fresh world (standby ones added but not started) and its coordinator. */
function scenarioRun (init: DesRunInit): ScenarioRun & { nodeOf: Map<string, string> } {
  const { scenario, policy } = init
  const world = new DesWorld(`${scenario.seed}/${scenario.name}/${policy}`, init.network)
  const peerIdOf = (id: string): string => {
    const p = init.peerIds.get(id)
    if (p === undefined) throw new InvalidDesOptionError(`no peer id for node ${id}`)
    return p
  }
  const nodeOf = new Map<string, string>()
  for (const n of scenario.nodes) {
    world.addPeer(peerSpecOf(n, peerIdOf(n.id)))
    nodeOf.set(peerIdOf(n.id), n.id)
  }
  for (const n of scenario.nodes) if (n.standby !== true) world.start(peerIdOf(n.id), true)
  const invariants = new InvariantChecker(init.strictInvariants ?? true)
  const recorder = fullRecorder()
  const c = new DesCoordinator({
    world,
    policy: createPolicy(policy),
    settings: { runId: `${scenario.seed}/${scenario.name}/${policy}`, callsPerPeer: DEFAULT_CALLS_PER_PEER, callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS, batchDeadlineMs: DEFAULT_BATCH_DEADLINE_MS, routeViewMaxAgeMs: 100 },
    recorder,
    shortTerm: createShortTermMemory(),
    longTerm: createLongTermMemory(),
    invariants,
    recentBusyHorizonMs: RECENT_BUSY_HORIZON_MS,
    // The real coordinator's placement stream (packages/coordinator/src/run-job.ts: the run's seed is the scenario's).
    rng: createRng(`${scenario.seed}/${policy}/placement`)
  })
  return { init, world, c, recorder, invariants, peerIdOf, nodeOf, job: init.workload?.job ?? desJob(), errors: [], fired: [], events: [], layerLoads: [], stopLoop: () => {}, placement: {}, startMs: Number.NaN, started: 0, done: false }
}

/** Plans the job on the views now, measures its call costs on the workload, places and programs it. */
function placeAndProgram (r: ScenarioRun, done: () => void): void {
  const { c, init, job } = r
  const { scenario } = init
  const plan = planJob(job, c.views(), init.policy, { batch: scenario.batchSize })
  const shards = shardsToPlace(plan, scenario.replicas ?? 1)
  if (init.workload !== undefined) {
    c.readFactors = measureCallReadFactors({
      plan,
      job,
      inputs: init.workload.inputs,
      vectors: READ_FACTOR_VECTORS,
      presets: [...new Set(scenario.nodes.map((n) => n.preset))].sort(),
      geometry: Math.max(...plan.shards.map((s) => s.geometry.rows)),
      seed: scenario.seed
    })
  }
  const assignments = init.placement === undefined ? policyPlacement(r, shards, plan.candidates) : replayedPlacement(shards, init.placement, r.peerIdOf)
  if (init.placement?.replacements !== undefined) c.replacementTarget = replacementTargets(init.placement.replacements, r.peerIdOf)
  for (const spec of shards) {
    const w = plan.weights.get(spec.id)
    c.shards.set(spec.id, { spec: placedSpec(spec, assignments.get(spec.id)?.length ?? 0), blocks: plan.blocks.get(spec.id) ?? [], rows: w?.rows ?? spec.geometry.rows, cols: w?.cols ?? spec.geometry.cols, weights: new Float32Array(0), holders: [], programming: [], draining: [], quarantined: [], inFlight: new Map(), tilesByHolder: new Map(), answeredAtMs: [] })
  }
  programPlacement(c, assignments, done)
}

/** The policy places every copy on the planned candidates (as `placeJob`). */
function policyPlacement (r: ScenarioRun, shards: PlacementInput['shards'], candidates: PlacementInput['peers']): ReadonlyMap<string, readonly string[]> {
  const placement = r.c.policy.place({ shards, peers: candidates, nowMs: r.c.now(), rng: r.c.rng })
  if (placement.unplaced.length > 0) throw new InvalidDesOptionError(`${r.init.policy} left ${placement.unplaced.length} shard(s) unplaced`)
  return placement.assignments
}

/** The stream: the loop (tessera's by default), the timeline and extra faults, the time-out sweep, the requests. */
function stream (r: ScenarioRun): void {
  const { c, init, world } = r
  const { scenario } = init
  const durationMs = scenario.durationMs as number
  r.placement = Object.fromEntries([...c.shards.values()].map((s) => [s.spec.id, [...s.holders]]))
  r.startMs = c.now()
  r.recorder.startMs = r.startMs
  if (init.reconfigure ?? init.policy === 'tessera') {
    const loop = startCoordinatorLoop(c, `${scenario.seed}/${init.policy}`, init.onReconfigureEvent)
    r.events = loop.events as ReconfigureEvent[]
    r.stopLoop = () => {
      loop.stop()
      r.errors.push(...loop.errors)
    }
  }
  const gone = new Set<string>()
  // A real run's publications (relative to its stream), else those measured on the harness after discovery (t = 0).
  schedulePublications(world, init.publicationsMs?.map((t) => r.startMs + t) ?? world.network.publicationsAfterDiscoveryMs ?? [])
  const timeline: DesFault[] = (scenario.timeline ?? []).map((e, i) => {
    const nodes = init.timelineNodes?.[i]
    return nodes !== undefined && (e.kind === 'slowdown' || e.kind === 'leave') ? { ...e, nodes: [...nodes] } : e
  })
  for (const fault of [...timeline, ...(init.faults ?? [])]) {
    world.queue.at(r.startMs + fault.atMs, () => {
      applyFault(fault, { scenario, world, c, peerIdOf: r.peerIdOf, gone, fired: r.fired, startLayer: (stop) => { r.layerLoads.push(stop) }, replayedPublications: init.publicationsMs !== undefined })
    })
  }
  const sweep = (): void => {
    if (r.done) return
    c.sweepTimeouts()
    world.queue.after(TIMEOUT_SWEEP_MS, sweep)
  }
  sweep()
  const requests = scenario.arrivalRps === undefined ? SCENARIO_MAX_REQUESTS : Math.max(1, Math.min(SCENARIO_MAX_REQUESTS, Math.floor((scenario.arrivalRps * durationMs) / 1000)))
  r.pipeline = startPipeline(c, {
    layerIds: r.job.layers.map((l) => l.id),
    requests,
    batchSize: scenario.batchSize,
    batchesInFlight: scenario.batchesInFlight,
    ...(scenario.arrivalRps !== undefined ? { arrivalRps: scenario.arrivalRps } : {}),
    durationMs,
    onBatchFailed: (first, n, why) => { r.errors.push(`requests ${first}…${first + n - 1}: ${why}`) },
    onDone: (count) => {
      r.started = count
      r.recorder.endMs = c.now()
      r.done = true
    }
  })
}

/** Runs one policy through a scenario on modelled peers. */
export function runDesPolicy (init: DesRunInit): DesRun {
  const { scenario, policy } = init
  if (scenario.durationMs === undefined) throw new InvalidDesOptionError(`scenario ${scenario.name} has no durationMs: it is not a simulation`)
  const r = scenarioRun(init)
  const { world, c } = r
  const order = init.placement === undefined ? undefined : discoveryOrder(init.placement, r.peerIdOf)
  discover(c, order)
  c.refreshPeers = () => { discover(c, order) }
  const stopGossip = startGossip(c, SCENARIO_METRICS_INTERVAL_MS)
  world.queue.after(SCENARIO_SETTLE_MS, () => { placeAndProgram(r, () => { stream(r) }) })
  world.queue.runUntil(SCENARIO_SETTLE_MS + scenario.durationMs + MAX_DRAIN_MS, () => r.done)
  for (const stop of r.layerLoads) stop()
  r.stopLoop()
  stopGossip()
  if (!r.done || r.pipeline === undefined) {
    if (r.pipeline !== undefined) r.invariants.ledger(r.pipeline.ledger, true)
    throw new InvalidDesOptionError(`${policy} on ${scenario.name}: the run did not finish within ${MAX_DRAIN_MS} ms after its planned end`)
  }
  const answers = r.pipeline.answers().subarray(0, r.started)
  return {
    policy,
    metrics: computeRunMetrics(r.recorder, { answers, predictions: new Uint8Array(r.started) }),
    recorder: r.recorder,
    fired: r.fired,
    events: r.events,
    placement: r.placement,
    startMs: r.startMs,
    plannedEndMs: r.startMs + scenario.durationMs,
    nodeIdOf: (peerId) => r.nodeOf.get(peerId),
    invariantChecks: r.invariants.checks,
    violations: r.invariants.violations,
    wrongAnswers: c.wrongAnswers,
    eventsProcessed: world.queue.processed,
    errors: r.errors
  }
}

/**
 * Discovery: every readable record of a peer not yet known, connected (a departed peer's dial fails); peers ranked
 * in `order` first, in that order (a real run's), then the others as the world lists them.
 */
function discover (c: DesCoordinator, order?: ReadonlyMap<string, number>): void {
  const found = c.world.discoverable()
  if (order !== undefined) {
    const rank = (peerId: string): number => order.get(peerId) ?? Number.MAX_SAFE_INTEGER
    found.sort((a, b) => rank(a) - rank(b))
  }
  for (const peerId of found) {
    if (c.targets.has(peerId)) continue
    const peer = c.peer(peerId)
    if (peer === undefined || !peer.alive) continue
    c.targets.set(peerId, targetOf(c.world, peerId))
    c.longTerm.observe(peerId, { up: true }, c.now())
  }
  c.invalidateViews()
}

/** Programs a placement: one upload at a time per peer, 4 peers at a time (as `programPlacement`). */
function programPlacement (c: DesCoordinator, assignments: ReadonlyMap<string, readonly string[]>, done: () => void): void {
  const byPeer = new Map<string, Array<{ shard: DesShard, peerId: string }>>()
  for (const [shardId, peers] of assignments) {
    const shard = c.shards.get(shardId)
    if (shard === undefined) continue
    for (const peerId of peers) byPeer.set(peerId, [...(byPeer.get(peerId) ?? []), { shard, peerId }])
  }
  const queues = [...byPeer.values()]
  let next = 0
  let lanes = Math.max(1, Math.min(4, queues.length))
  const lane = (): void => {
    if (next >= queues.length) {
      if (--lanes === 0) done()
      return
    }
    const jobs = queues[next++]
    let i = 0
    const one = (): void => {
      if (i >= jobs.length) {
        lane()
        return
      }
      const { shard, peerId } = jobs[i++]
      c.programCopy(shard, peerId, (failure) => {
        if (failure === undefined) shard.holders.push(peerId)
        one()
      })
    }
    one()
  }
  if (queues.length === 0) done()
  for (let k = 0, n = lanes; k < n; k++) lane()
}

interface FaultContext {
  scenario: Scenario
  world: DesWorld
  c: DesCoordinator
  peerIdOf: (id: string) => string
  gone: Set<string>
  fired: FiredEvent[]
  startLayer: (stop: () => void) => void
  /** A real run's publications are replayed (a join's among them). */
  replayedPublications: boolean
}

function describeFault (f: DesFault, ids: string[]): string {
  switch (f.kind) {
    case 'liar': return `${ids.join(', ')} answer wrongly ${Math.round(f.wrongFraction * 100)}% of the time`
    case 'churn': return `churn ${(f.fractionPerMinute * 100).toFixed(1)}%/min`
    case 'bug': return `bug: ${f.bug}`
    default: return describeScenarioEvent(f, ids)
  }
}

/** Applies one fault now. */
function applyFault (f: DesFault, x: FaultContext): void {
  const { scenario, world, c } = x
  const ids = f.kind === 'slowdown' || f.kind === 'leave' || f.kind === 'liar'
    ? selectNodes(f.nodes, scenario, c, x.peerIdOf, x.gone)
    : f.kind === 'join' ? f.nodes : []
  x.fired.push({ kind: f.kind as FiredEvent['kind'], atMs: world.nowMs, label: describeFault(f, ids), nodes: ids })
  switch (f.kind) {
    case 'slowdown':
      for (const id of ids) {
        const node = scenario.nodes.find((n) => n.id === id)
        if (node !== undefined) world.peers.get(x.peerIdOf(id))?.setSpeed(node.macsPerSecond / f.factor)
      }
      break
    case 'leave':
      for (const id of ids) {
        x.gone.add(id)
        world.leave(x.peerIdOf(id))
      }
      break
    case 'join':
      for (const id of ids) {
        world.start(x.peerIdOf(id))
        // It dials in and publishes twice (local-network.ts) on the harness's event loop (a real run's are replayed).
        if (!x.replayedPublications) world.occupyLoop(2 * (world.network.publicationWorkMs ?? 0))
      }
      break
    case 'hotspot': {
      const lanes = Math.max(1, Math.round((f.factor - 1) * scenario.batchesInFlight))
      x.startLayer(startLayerLoad(c, { layerId: f.layer, lanes, batchSize: scenario.batchSize, ...(scenario.arrivalRps !== undefined ? { arrivalRps: (f.factor - 1) * scenario.arrivalRps } : {}) }))
      break
    }
    case 'liar':
      for (const id of ids) {
        const peer = world.peers.get(x.peerIdOf(id))
        if (peer !== undefined) peer.spec.liar = { wrongFraction: f.wrongFraction, relativeError: f.relativeError }
      }
      break
    case 'churn':
      throw new InvalidDesOptionError('churn faults run in scale mode only (a scenario network has no pool of new volunteers)')
    case 'bug':
      switch (f.bug) {
        case 'overcommit-tiles': c.invariants.bugs.overcommitNextReservation = true; break
        case 'duplicate-answer': c.invariants.bugs.duplicateNextAnswer = true; break
        case 'drop-answer': c.invariants.bugs.dropNextAnswer = true; break
        case 'release-last-copy': c.invariants.bugs.releaseLastCopy = true; break
      }
      break
  }
}
