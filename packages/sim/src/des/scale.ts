/**
 * Scale runs: a network of N modelled peers drawn from the scale spec's distributions, churning (a fraction of
 * the live peers leaves per simulated minute, each replaced by a newcomer: departures a Poisson process), with one
 * job per thousand peers, each with its own simulated coordinator (the same model as the scenario runs: real
 * policy, reconfiguration step, memories, planner), discovering peers through the bucketed design on the Kademlia
 * model. Calls are too many to keep: metrics come from running sums (recorder.ts).
 */
import { createRng, hashString } from '@tessera/crossbar'
import { planJob, RECENT_BUSY_HORIZON_MS, DEFAULT_BATCH_DEADLINE_MS, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CALLS_PER_PEER } from '@tessera/coordinator'
import type { ModelJob } from '@tessera/coordinator'
import { createLongTermMemory, createShortTermMemory } from '@tessera/memory'
import { createPolicy } from '@tessera/scheduler'
import { DesCoordinator } from './coordinator-model.js'
import { startGossip } from './gossip-model.js'
import { BucketedDiscovery, ProviderIndex, readEveryProviderRound } from './discovery-model.js'
import type { RoundCost } from './discovery-model.js'
import { drawExponential, drawLogNormal, drawWeighted } from './distributions.js'
import { targetOf } from './engine.js'
import { InvariantChecker } from './invariants.js'
import { desJob } from './job.js'
import { KademliaModel } from './kademlia-model.js'
import type { NetworkModel } from './network-model.js'
import type { DesPeerSpec } from './peer-model.js'
import { deviceFigures } from './population.js'
import { startPipeline } from './pipeline-model.js'
import { StreamingRecorder } from './recorder.js'
import { startCoordinatorLoop } from './coordinator-loop.js'
import type { DesReconfigureLoop } from './reconfigure-glue.js'
import type { ScaleSpec } from './scale-spec.js'
import { RECORD_LIFETIME_MS, DesWorld } from './world.js'

/** Gossip period off loopback (packages/peer: every 3 s). */
const GOSSIP_INTERVAL_MS = 3000
/** Coordinators start within this long of each other, ms. */
const START_SPREAD_MS = 10_000
/** How often calls past their time-out are failed, ms. */
const TIMEOUT_SWEEP_MS = 1000

/** One policy's figures in a scale run. */
export interface ScalePolicyRow {
  policy: string
  jobs: number
  throughputRps: number
  latencyP95Ms: number
  requestsLost: number
  requestsDuplicated: number
  memoryUtilisation: number
  resourceUtilisation: number
  replacements: number
  migrations: number
  discoveryRounds: number
  dhtMessages: number
  dhtMessagesPerRound: number
  /** Accepted wrong answers (none without liars). */
  wrongAnswers: number
  invariantChecks: number
}

/** One scale run (one N, one policy). */
export interface ScaleRun {
  peers: number
  simulatedSeconds: number
  wallSeconds: number
  /** CPU time of this process during the run, s (the machine is shared: wall time includes others' load). */
  cpuSeconds: number
  events: number
  eventsPerSecond: number
  departures: number
  /** When the last job answered its last request, simulated ms (after `simulatedSeconds` when a backlog drained). */
  endedAtMs: number
  row: ScalePolicyRow
}

function drawPeer (spec: ScaleSpec, rng: ReturnType<typeof createRng>, index: number): DesPeerSpec {
  const p = spec.population
  const preset = drawWeighted(rng, p.presets)
  const geometry = drawWeighted(rng, p.geometries)
  const nat = drawWeighted(rng, p.nat)
  const path = nat === 'none' ? 'direct' : rng.nextFloat() < p.holePunchSuccess[nat] ? 'hole-punched' : 'relayed'
  const id = `s${index.toString().padStart(6, '0')}`
  return {
    id,
    peerId: id,
    preset,
    geometry,
    tiles: drawWeighted(rng, p.tiles),
    macsPerSecond: drawLogNormal(rng, p.macsPerSecond.mean, p.macsPerSecond.cv),
    delayMs: 0,
    relayed: path === 'relayed',
    path,
    ...deviceFigures(preset, geometry)
  }
}

/** The churning network of a scale run: peers in the world, on the Kademlia model and in the provider index. */
interface ChurningNetwork {
  kad: KademliaModel
  index: ProviderIndex
  departures: () => number
}

/**
 * Draws `peers` peers and starts the churn: departures a Poisson process at `churnFractionPerMinute` of the
 * network per minute, each departure replaced at once by a newcomer from the same distribution. A departed peer's
 * record stays readable until it expires; a newcomer's becomes readable once published.
 */
function startChurningNetwork (spec: ScaleSpec, peers: number, world: DesWorld): ChurningNetwork {
  const kad = new KademliaModel(world.seed)
  const population = world.rng('population')
  const index = new ProviderIndex(Math.max(8, Math.ceil(peers / spec.discovery.providersPerBucket)))
  const kadIdOf = new Map<string, number>()
  let nextIndex = 0
  let departures = 0
  const join = (): string => {
    const s = drawPeer(spec, population, nextIndex++)
    world.addPeer(s)
    world.start(s.peerId, nextIndex <= peers)
    const id = kad.newId()
    kadIdOf.set(s.peerId, id)
    kad.join(id)
    world.queue.at(world.visibleFromMs.get(s.peerId) ?? world.nowMs, () => { if (world.peers.get(s.peerId)?.alive === true) index.add(s.peerId, hashString(s.peerId)) })
    return s.peerId
  }
  for (let i = 0; i < peers; i++) join()
  const live: string[] = [...world.peers.keys()]
  const churn = world.rng('churn')
  const ratePerMs = (spec.churnFractionPerMinute * peers) / 60_000
  const depart = (): void => {
    const i = churn.nextInt(live.length)
    const peerId = live[i]
    live[i] = live[live.length - 1]
    live.pop()
    departures++
    world.leave(peerId)
    kad.leave(kadIdOf.get(peerId) as number)
    world.queue.after(RECORD_LIFETIME_MS, () => { index.remove(peerId) })
    live.push(join())
    world.queue.after(drawExponential(churn, 1 / ratePerMs), depart)
  }
  if (ratePerMs > 0) world.queue.after(drawExponential(churn, 1 / ratePerMs), depart)
  return { kad, index, departures: () => departures }
}

/** What the jobs of a scale run share. */
interface ScaleJobs {
  spec: ScaleSpec
  policy: string
  world: DesWorld
  net: ChurningNetwork
  recorder: StreamingRecorder
  job: ModelJob
  durationMs: number
  coordinators: DesCoordinator[]
  checkers: InvariantChecker[]
  discoveries: BucketedDiscovery[]
  loops: DesReconfigureLoop[]
  gossipStops: Array<() => void>
  pipelines: Array<ReturnType<typeof startPipeline>>
  finished: number
}

/** One-way delays from coordinator `j` to each peer, drawn per pair from the spec's log-normal (seeded by the pair). */
function pairDelays (jobs: ScaleJobs, j: number): (peerId: string) => number {
  const cache = new Map<string, number>()
  const d = jobs.spec.population.oneWayDelayMs
  return (peerId) => {
    let ms = cache.get(peerId)
    if (ms === undefined) {
      ms = drawLogNormal(createRng(`${jobs.world.seed}/delay/${j}/${peerId}`), d.mean, d.cv)
      cache.set(peerId, ms)
    }
    return ms
  }
}

/** Job `j`: its coordinator, its discovery, and its start within the first seconds. */
function addJob (jobs: ScaleJobs, j: number): void {
  const { world } = jobs
  const invariants = new InvariantChecker(true)
  jobs.checkers.push(invariants)
  const c = new DesCoordinator({
    world,
    policy: createPolicy(jobs.policy),
    settings: { runId: `job${j}`, callsPerPeer: DEFAULT_CALLS_PER_PEER, callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS, batchDeadlineMs: DEFAULT_BATCH_DEADLINE_MS, routeViewMaxAgeMs: 100 },
    recorder: jobs.recorder,
    shortTerm: createShortTermMemory(),
    longTerm: createLongTermMemory(),
    invariants,
    recentBusyHorizonMs: RECENT_BUSY_HORIZON_MS,
    pairDelayMs: pairDelays(jobs, j)
  })
  jobs.coordinators.push(c)
  const discovery = new BucketedDiscovery(jobs.net.kad, jobs.net.index, jobs.net.kad.newId(), jobs.spec.discovery.candidates, world.rng(`discovery/${j}`))
  jobs.discoveries.push(discovery)
  c.refreshPeers = () => {
    for (const peerId of discovery.round().found) {
      if (c.targets.has(peerId) || world.peers.get(peerId)?.alive !== true) continue
      c.targets.set(peerId, targetOf(world, peerId))
      c.longTerm.observe(peerId, { up: true }, world.nowMs)
    }
    c.invalidateViews()
  }
  world.queue.at(createRng(`${world.seed}/start/${j}`).nextFloat() * START_SPREAD_MS, () => { placeJob(jobs, c) })
}

/** Discovers, plans, places and programs a job, then streams it. */
function placeJob (jobs: ScaleJobs, c: DesCoordinator): void {
  c.refreshPeers()
  const plan = planJob(jobs.job, c.views(), jobs.policy, { batch: jobs.spec.jobs.batchSize })
  const placement = c.policy.place({ shards: plan.shards, peers: plan.candidates, nowMs: c.now(), rng: c.rng })
  for (const s of plan.shards) {
    c.shards.set(s.id, { spec: s, blocks: plan.blocks.get(s.id) ?? [], rows: s.geometry.rows, cols: s.geometry.cols, weights: new Float32Array(0), holders: [], programming: [], draining: [], inFlight: new Map(), tilesByHolder: new Map(), answeredAtMs: [] })
  }
  let uploads = 0
  for (const [shardId, peerIds] of placement.assignments) {
    const shard = c.shards.get(shardId)
    if (shard === undefined) continue
    for (const peerId of peerIds) {
      uploads++
      c.programCopy(shard, peerId, (failure) => {
        if (failure === undefined) shard.holders.push(peerId)
        if (--uploads === 0) streamJob(jobs, c)
      })
    }
  }
  if (uploads === 0) streamJob(jobs, c)
}

/** A job's stream: open loop until the spec's time, then whatever backlog is left; the loop for tessera. */
function streamJob (jobs: ScaleJobs, c: DesCoordinator): void {
  const { world, recorder, spec } = jobs
  if (!Number.isFinite(recorder.startMs)) recorder.startMs = world.nowMs
  const remaining = jobs.durationMs - world.nowMs
  if (jobs.policy === 'tessera') jobs.loops.push(startCoordinatorLoop(c, `${spec.seed}/${c.settings.runId}`))
  jobs.gossipStops.push(startGossip(c, GOSSIP_INTERVAL_MS))
  const sweep = (): void => {
    c.sweepTimeouts()
    if (jobs.finished < jobs.coordinators.length) world.queue.after(TIMEOUT_SWEEP_MS, sweep)
  }
  sweep()
  jobs.pipelines.push(startPipeline(c, {
    layerIds: jobs.job.layers.map((l) => l.id),
    requests: Math.max(1, Math.floor((spec.jobs.arrivalRps * remaining) / 1000)),
    batchSize: spec.jobs.batchSize,
    batchesInFlight: spec.jobs.batchesInFlight,
    arrivalRps: spec.jobs.arrivalRps,
    durationMs: remaining,
    onDone: () => {
      jobs.finished++
      recorder.endMs = Math.max(Number.isFinite(recorder.endMs) ? recorder.endMs : 0, world.nowMs)
    }
  }))
}

/** The row of a finished scale run. */
function scaleRow (jobs: ScaleJobs): ScalePolicyRow {
  const { recorder } = jobs
  recorder.advance(recorder.endMs)
  const duration = recorder.endMs - recorder.startMs
  let lost = 0
  let duplicated = 0
  for (const p of jobs.pipelines) {
    lost += p.ledger.failed
    for (const a of p.answers()) if (a > 1) duplicated += a - 1
  }
  const rounds = jobs.discoveries.reduce((sum, d) => sum + d.rounds, 0)
  const messages = jobs.discoveries.reduce((sum, d) => sum + d.messages, 0)
  let busy = 0
  for (const ms of recorder.busyMsByPeer.values()) busy += ms
  return {
    policy: jobs.policy,
    jobs: jobs.coordinators.length,
    throughputRps: duration > 0 ? recorder.answeredCount / (duration / 1000) : 0,
    latencyP95Ms: recorder.latencyQuantileMs(0.95),
    requestsLost: lost,
    requestsDuplicated: duplicated,
    memoryUtilisation: recorder.allocatedIntegral > 0 ? recorder.cellsIntegral / recorder.allocatedIntegral : 0,
    resourceUtilisation: Math.min(1, busy / (Math.max(1, recorder.busyMsByPeer.size) * Math.max(1, duration))),
    replacements: recorder.replacements,
    migrations: jobs.loops.reduce((sum, l) => sum + l.events.filter((e) => e.type === 'migrate').length, 0),
    discoveryRounds: rounds,
    dhtMessages: messages,
    dhtMessagesPerRound: rounds > 0 ? messages / rounds : 0,
    wrongAnswers: jobs.coordinators.reduce((sum, c) => sum + c.wrongAnswers, 0),
    invariantChecks: jobs.checkers.reduce((sum, k) => sum + k.checks, 0)
  }
}

/** Runs one policy on a network of `peers` for the spec's simulated time. */
export function runScale (spec: ScaleSpec, peers: number, policy: string, network: NetworkModel): ScaleRun {
  const wallStart = performance.now()
  const cpuStart = process.cpuUsage()
  const world = new DesWorld(`${spec.seed}/${peers}/${policy}`, network)
  const jobs: ScaleJobs = {
    spec,
    policy,
    world,
    net: startChurningNetwork(spec, peers, world),
    recorder: new StreamingRecorder(),
    job: desJob(),
    durationMs: spec.simulatedSeconds * 1000,
    coordinators: [],
    checkers: [],
    discoveries: [],
    loops: [],
    gossipStops: [],
    pipelines: [],
    finished: 0
  }
  const count = Math.max(1, Math.round((peers / 1000) * spec.jobs.perThousandPeers))
  for (let j = 0; j < count; j++) addJob(jobs, j)
  world.queue.runUntil(Number.POSITIVE_INFINITY, () => jobs.finished === count)
  for (const l of jobs.loops) l.stop()
  for (const stop of jobs.gossipStops) stop()
  const row = scaleRow(jobs)
  const wallSeconds = (performance.now() - wallStart) / 1000
  const cpu = process.cpuUsage(cpuStart)
  return {
    peers,
    simulatedSeconds: spec.simulatedSeconds,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    events: world.queue.processed,
    eventsPerSecond: world.queue.processed / wallSeconds,
    departures: jobs.net.departures(),
    endedAtMs: jobs.recorder.endMs,
    row
  }
}

/** DHT messages per discovery round of both designs on a fresh network of `peers` (no churn), one coordinator. */
export function discoveryCostAt (spec: ScaleSpec, peers: number): { peers: number, readEveryProvider: RoundCost, bucketedFirst: RoundCost, bucketedIncremental: RoundCost } {
  const kad = new KademliaModel(`${spec.seed}/discovery/${peers}`)
  const index = new ProviderIndex(Math.max(8, Math.ceil(peers / spec.discovery.providersPerBucket)))
  const providers: string[] = []
  for (let i = 0; i < peers; i++) {
    const peerId = `s${i.toString().padStart(6, '0')}`
    kad.join(kad.newId())
    index.add(peerId, hashString(peerId))
    providers.push(peerId)
  }
  const origin = kad.newId()
  const readEveryProvider = readEveryProviderRound(kad, origin, providers)
  const bucketed = new BucketedDiscovery(kad, index, origin, spec.discovery.candidates, createRng(`${spec.seed}/discovery-cost`))
  const bucketedFirst = bucketed.round().cost
  const bucketedIncremental = bucketed.round().cost
  return { peers, readEveryProvider, bucketedFirst, bucketedIncremental }
}
