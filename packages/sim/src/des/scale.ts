/**
 * Scale runs: a network of N modelled peers drawn from the scale spec's distributions, churning (a fraction of
 * the live peers leaves per simulated minute, each replaced by a newcomer: departures a Poisson process), with one
 * job per thousand peers, each with its own simulated coordinator (the same model as the scenario runs: real
 * policy, reconfiguration step, memories, planner), discovering peers through the bucketed design on the Kademlia
 * model. Calls are too many to keep: metrics come from running sums (recorder.ts).
 */
import { createRng, hashString } from '@tessera/crossbar'
import { planJob, RECENT_BUSY_HORIZON_MS, RECONFIGURE_COORDINATOR_COOLDOWN_MS, RECONFIGURE_COORDINATOR_DRAIN_TIMEOUT_MS, RECONFIGURE_COORDINATOR_MAX_CONCURRENT_MIGRATIONS, RECONFIGURE_COORDINATOR_OVERLOAD_SETTLE_MS, RECONFIGURE_DEMAND_MEMORY_MS, RECONFIGURE_DISCOVERY_INTERVAL_MS, RECONFIGURE_INTERVAL_MS, RECONFIGURE_LOAD_WINDOW_MS, DEFAULT_BATCH_DEADLINE_MS, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CALLS_PER_PEER, DEFAULT_PROGRAM_TIMEOUT_MS } from '@tessera/coordinator'
import { createLongTermMemory, createShortTermMemory } from '@tessera/memory'
import { createPolicy, createReconfigurer } from '@tessera/scheduler'
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
import { startDesReconfigureLoop } from './reconfigure-glue.js'
import type { ScaleSpec } from './scale-spec.js'
import { DesWorld, RECORD_LIFETIME_MS } from './world.js'

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

/** Runs one policy on a network of `peers` for the spec's simulated time. */
export function runScale (spec: ScaleSpec, peers: number, policyName: string, network: NetworkModel): ScaleRun {
  const wallStart = performance.now()
  const cpuStart = process.cpuUsage()
  const world = new DesWorld(`${spec.seed}/${peers}/${policyName}`, network)
  const durationMs = spec.simulatedSeconds * 1000
  const kad = new KademliaModel(world.seed)
  const population = world.rng('population')
  const buckets = Math.max(8, Math.ceil(peers / spec.discovery.providersPerBucket))
  const index = new ProviderIndex(buckets)
  const kadIdOf = new Map<string, number>()
  let nextIndex = 0
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
  let departures = 0
  const churn = world.rng('churn')
  const churnRatePerMs = (spec.churnFractionPerMinute * peers) / 60_000
  const depart = (): void => {
    const i = churn.nextInt(live.length)
    const peerId = live[i]
    live[i] = live[live.length - 1]
    live.pop()
    departures++
    world.leave(peerId)
    kad.leave(kadIdOf.get(peerId) as number)
    // Its record is still found until it expires.
    world.queue.after(RECORD_LIFETIME_MS, () => { index.remove(peerId) })
    live.push(join())
    world.queue.after(drawExponential(churn, 1 / churnRatePerMs), depart)
  }
  if (churnRatePerMs > 0) world.queue.after(drawExponential(churn, 1 / churnRatePerMs), depart)

  const recorder = new StreamingRecorder()
  // One checker per job: request ids are per job; tiles are checked per peer by whichever job reserves.
  const checkers: InvariantChecker[] = []
  const jobs = Math.max(1, Math.round((peers / 1000) * spec.jobs.perThousandPeers))
  const job = desJob()
  const delayRng = (coordinator: number): ((peerId: string) => number) => {
    const cache = new Map<string, number>()
    return (peerId) => {
      let d = cache.get(peerId)
      if (d === undefined) {
        d = drawLogNormal(createRng(`${world.seed}/delay/${coordinator}/${peerId}`), spec.population.oneWayDelayMs.mean, spec.population.oneWayDelayMs.cv)
        cache.set(peerId, d)
      }
      return d
    }
  }
  const coordinators: DesCoordinator[] = []
  const discoveries: BucketedDiscovery[] = []
  const loops: Array<{ events: unknown[], stop: () => void, eventsOf: () => number }> = []
  let wrongAnswers = 0
  const gossipStops: Array<() => void> = []
  const pipelines: Array<ReturnType<typeof startPipeline>> = []
  let finished = 0
  for (let j = 0; j < jobs; j++) {
    const c = new DesCoordinator({
      world,
      policy: createPolicy(policyName),
      settings: { runId: `job${j}`, callsPerPeer: DEFAULT_CALLS_PER_PEER, callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS, batchDeadlineMs: DEFAULT_BATCH_DEADLINE_MS, routeViewMaxAgeMs: 100 },
      recorder,
      shortTerm: createShortTermMemory(),
      longTerm: createLongTermMemory(),
      invariants: checkers[checkers.push(new InvariantChecker(true)) - 1],
      recentBusyHorizonMs: RECENT_BUSY_HORIZON_MS,
      pairDelayMs: delayRng(j)
    })
    coordinators.push(c)
    const discovery = new BucketedDiscovery(kad, index, kad.newId(), spec.discovery.candidates, world.rng(`discovery/${j}`))
    discoveries.push(discovery)
    const refresh = (): void => {
      const { found } = discovery.round()
      for (const peerId of found) {
        if (c.targets.has(peerId) || world.peers.get(peerId)?.alive !== true) continue
        c.targets.set(peerId, targetOf(world, peerId))
        c.longTerm.observe(peerId, { up: true }, world.nowMs)
      }
      c.invalidateViews()
    }
    c.refreshPeers = refresh
    const startAt = createRng(`${world.seed}/start/${j}`).nextFloat() * START_SPREAD_MS
    world.queue.at(startAt, () => { startJob(c, refresh) })
  }

  function startJob (c: DesCoordinator, refresh: () => void): void {
    refresh()
    const views = c.views()
    const plan = planJob(job, views, policyName, { batch: spec.jobs.batchSize })
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
          if (--uploads === 0) stream(c)
        })
      }
    }
    if (uploads === 0) stream(c)
  }

  function stream (c: DesCoordinator): void {
    if (!Number.isFinite(recorder.startMs)) recorder.startMs = world.nowMs
    const remaining = durationMs - world.nowMs
    if (policyName === 'tessera') {
      const loop = startDesReconfigureLoop(c, {
        reconfigurer: createReconfigurer({
          cooldownMs: RECONFIGURE_COORDINATOR_COOLDOWN_MS,
          overloadSettleMs: RECONFIGURE_COORDINATOR_OVERLOAD_SETTLE_MS,
          drainTimeoutMs: RECONFIGURE_COORDINATOR_DRAIN_TIMEOUT_MS,
          programTimeoutMs: DEFAULT_PROGRAM_TIMEOUT_MS,
          maxConcurrentMigrations: RECONFIGURE_COORDINATOR_MAX_CONCURRENT_MIGRATIONS
        }),
        intervalMs: RECONFIGURE_INTERVAL_MS,
        discoverEveryMs: RECONFIGURE_DISCOVERY_INTERVAL_MS,
        loadWindowMs: RECONFIGURE_LOAD_WINDOW_MS,
        demandMemoryMs: RECONFIGURE_DEMAND_MEMORY_MS,
        seed: `${spec.seed}/${c.settings.runId}`
      })
      loops.push({ events: loop.events, stop: loop.stop, eventsOf: () => loop.events.filter((e) => e.type === 'migrate').length })
    }
    gossipStops.push(startGossip(c, GOSSIP_INTERVAL_MS))
    const sweep = (): void => {
      c.sweepTimeouts()
      if (finished < jobs) world.queue.after(TIMEOUT_SWEEP_MS, sweep)
    }
    sweep()
    pipelines.push(startPipeline(c, {
      layerIds: job.layers.map((l) => l.id),
      requests: Math.max(1, Math.floor((spec.jobs.arrivalRps * remaining) / 1000)),
      batchSize: spec.jobs.batchSize,
      batchesInFlight: spec.jobs.batchesInFlight,
      arrivalRps: spec.jobs.arrivalRps,
      durationMs: remaining,
      onDone: () => {
        finished++
        wrongAnswers += c.wrongAnswers
        recorder.endMs = Math.max(Number.isFinite(recorder.endMs) ? recorder.endMs : 0, world.nowMs)
      }
    }))
  }

  world.queue.runUntil(Number.POSITIVE_INFINITY, () => finished === jobs)
  for (const l of loops) l.stop()
  for (const stop of gossipStops) stop()
  let lost = 0
  let duplicated = 0
  for (const p of pipelines) {
    lost += p.ledger.failed
    for (const a of p.answers()) if (a > 1) duplicated += a - 1
  }
  recorder.advance(recorder.endMs)
  const duration = recorder.endMs - recorder.startMs
  let rounds = 0
  let messages = 0
  for (const d of discoveries) {
    rounds += d.rounds
    messages += d.messages
  }
  let busy = 0
  for (const ms of recorder.busyMsByPeer.values()) busy += ms
  const holders = new Set<string>()
  for (const c of coordinators) for (const s of c.shards.values()) for (const p of [...s.holders, ...s.draining, ...s.tilesByHolder.keys()]) holders.add(p)
  const wallSeconds = (performance.now() - wallStart) / 1000
  const cpu = process.cpuUsage(cpuStart)
  return {
    peers,
    simulatedSeconds: spec.simulatedSeconds,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    events: world.queue.processed,
    eventsPerSecond: world.queue.processed / wallSeconds,
    departures,
    endedAtMs: recorder.endMs,
    row: {
      policy: policyName,
      jobs,
      throughputRps: duration > 0 ? recorder.answeredCount / (duration / 1000) : 0,
      latencyP95Ms: recorder.latencyQuantileMs(0.95),
      requestsLost: lost,
      requestsDuplicated: duplicated,
      memoryUtilisation: recorder.allocatedIntegral > 0 ? recorder.cellsIntegral / recorder.allocatedIntegral : 0,
      resourceUtilisation: Math.min(1, busy / (Math.max(1, recorder.busyMsByPeer.size) * Math.max(1, duration))),
      replacements: recorder.replacements,
      migrations: loops.reduce((sum, l) => sum + l.eventsOf(), 0),
      discoveryRounds: rounds,
      dhtMessages: messages,
      dhtMessagesPerRound: rounds > 0 ? messages / rounds : 0,
      wrongAnswers,
      invariantChecks: checkers.reduce((sum, k) => sum + k.checks, 0)
    }
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
