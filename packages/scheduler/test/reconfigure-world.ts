/**
 * A small seeded world for the reconfiguration tests: peers whose reported load follows from the placement
 * (M/M/1 queue lengths with measurement noise), a coordinator that applies the step's actions to its placement
 * as the contract says, uploads that take a few steps and sometimes fail, and draining copies whose in-flight
 * calls finish one per step.
 */
import { createRng } from '@tessera/crossbar'
import { createShortTermMemory, SHORT_TERM_DEFAULTS } from '@tessera/memory'
import { createReconfigurer } from '../src/reconfigure.js'
import { longTerm, peer } from './fixtures.js'
import type { Rng } from '@tessera/crossbar'
import type { MetricSummary, TrendDirection } from '@tessera/memory'
import type { ReconfigureInit } from '../src/reconfigure-config.js'
import type { ReconfigureAction, ReconfigureEvent } from '../src/reconfigure-events.js'
import type { ReconfigureResult, Reconfigurer } from '../src/reconfigure.js'
import type { ReconfigureState, ReplicaView } from '../src/reconfigure-state.js'
import type { PeerView, ShardSpec } from '../src/types.js'

export function summary (x: number): MetricSummary {
  return { count: 10, latest: x, mean: x, ema: x, p50: x, p95: x, min: x, max: x }
}

export interface WorldPeer {
  id: string
  /** Nominal throughput, MAC/s. */
  throughput: number
  /** Current speed as a fraction of nominal (a slowdown sets it below 1). */
  speed: number
  tilesTotal: number
  /** Tiles other users hold. */
  foreignTiles: number
  trend: TrendDirection
}

export interface WorldInit {
  seed: string
  peers: WorldPeer[]
  shards: ShardSpec[]
  /** Shard id → calls/s. */
  rates: Map<string, number>
  /** Initial placement: shard id → peers holding an active copy. */
  assignments: Map<string, string[]>
  /** Relative noise of throughput samples; with any noise, queue-length samples are exponential (see `sample`). */
  noise?: number
  /** Probability that an upload fails. */
  uploadFailure?: number
  /** Longest upload, in steps (uniform 1..this). */
  maxUploadSteps?: number
  reconfigure?: ReconfigureInit
  stepMs?: number
}

/** Metrics gossip period. */
const SAMPLE_MS = 1000

/** Queue length reported by a saturated peer (it has no steady state; reports are just large). */
const SATURATED_CALLS = 50

export class World {
  readonly peers = new Map<string, WorldPeer>()
  readonly departed = new Set<string>()
  readonly shards: ShardSpec[]
  readonly rates: Map<string, number>
  readonly placement = new Map<string, ReplicaView[]>()
  readonly events: ReconfigureEvent[] = []
  readonly actions: ReconfigureAction[] = []
  readonly reconfigurer: Reconfigurer
  state: ReconfigureState
  nowMs = 0
  private readonly uploadLeft = new Map<string, number>()
  private readonly memory = createShortTermMemory()
  private readonly noiseRng: Rng
  private readonly stepRng: Rng
  private readonly noise: number
  private readonly uploadFailure: number
  private readonly maxUploadSteps: number
  private readonly stepMs: number

  constructor (init: WorldInit) {
    for (const p of init.peers) this.peers.set(p.id, { ...p })
    this.shards = init.shards
    this.rates = new Map(init.rates)
    for (const [shardId, holders] of init.assignments) this.placement.set(shardId, holders.map((peerId) => ({ peerId, state: 'active', inFlight: 0 })))
    this.noiseRng = createRng(`${init.seed}/world`)
    this.stepRng = createRng(`${init.seed}/step`)
    this.noise = init.noise ?? 0
    this.uploadFailure = init.uploadFailure ?? 0
    this.maxUploadSteps = init.maxUploadSteps ?? 2
    this.stepMs = init.stepMs ?? 5000
    this.reconfigurer = createReconfigurer(init.reconfigure)
    this.state = this.reconfigurer.initialState({ knownPeers: init.peers.map((p) => p.id) })
    // A minute of history before the first step.
    for (let t = -SHORT_TERM_DEFAULTS.windowMs + SAMPLE_MS; t <= 0; t += SAMPLE_MS) this.sample(t)
  }

  /** Tiles this coordinator's copies take on a peer, by state. */
  tilesOn (peerId: string, states: ReadonlyArray<ReplicaView['state']>): number {
    let n = 0
    for (const [shardId, list] of this.placement) {
      const tiles = this.shards.find((s) => s.id === shardId)?.tilesNeeded ?? 0
      for (const r of list) if (r.peerId === peerId && states.includes(r.state)) n += tiles
    }
    return n
  }

  /** True utilisation of a live peer from the calls routed to active copies. */
  utilisation (peerId: string): number {
    const p = this.peers.get(peerId)
    if (p === undefined) return 0
    let rho = 0
    for (const s of this.shards) {
      const active = (this.placement.get(s.id) ?? []).filter((r) => r.state === 'active' && this.peers.has(r.peerId))
      if (!active.some((r) => r.peerId === peerId)) continue
      rho += ((this.rates.get(s.id) ?? 0) / active.length) * (s.macsPerRequest ?? s.cells) / (p.throughput * p.speed)
    }
    return rho
  }

  /** What the coordinator's memories say about the live peers. */
  views (): PeerView[] {
    const out: PeerView[] = []
    for (const p of this.peers.values()) {
      // Tiles of copies still programming may or may not show in the peer's report yet.
      const programming = this.noiseRng.nextFloat() < 0.5 ? this.tilesOn(p.id, ['programming']) : 0
      const tilesFree = Math.max(0, p.tilesTotal - p.foreignTiles - this.tilesOn(p.id, ['active', 'draining']) - programming)
      out.push(peer(p.id, {
        rttMs: 1,
        device: { tilesTotal: p.tilesTotal, tilesFree, throughput: p.throughput },
        shortTerm: this.memory.stats(p.id, this.nowMs),
        longTerm: longTerm(p.id, { throughput: p.throughput, trend: p.trend, failureRate: 0.01, availability: 0.99 })
      }))
    }
    return out
  }

  /**
   * Metrics gossip: one sample per live peer per second, as a node would push them. With noise, a queue-length
   * sample is exponential around the M/M/1 mean (its spread is about its mean, as for a real queue) and a
   * throughput sample has a relative normal error of `noise`; the coordinator sees the memory's window summaries.
   */
  private sample (nowMs: number): void {
    for (const p of this.peers.values()) {
      const rho = this.utilisation(p.id)
      const calls = rho < 1 ? rho / (1 - rho) : SATURATED_CALLS
      const queueDepth = this.noise > 0 ? -calls * Math.log(1 - this.noiseRng.nextFloat()) : calls
      const throughput = p.throughput * p.speed * Math.max(0.05, 1 + this.noise * this.noiseRng.nextNormal())
      this.memory.observe(p.id, { queueDepth, inFlight: 0, throughput, ok: true }, nowMs)
    }
  }

  /** One reconfiguration step; applies its actions like a coordinator would. */
  step (): ReconfigureResult {
    const result = this.reconfigurer.step(this.state, {
      shards: this.shards,
      replicas: new Map([...this.placement].map(([id, list]) => [id, list.map((r) => ({ ...r }))])),
      peers: this.views(),
      departed: this.departed,
      loadPerSec: new Map([...this.rates].filter(([id]) => this.shards.some((s) => s.id === id))),
      nowMs: this.nowMs,
      rng: this.stepRng
    })
    this.state = result.state
    this.events.push(...result.events)
    this.actions.push(...result.actions)
    for (const action of result.actions) this.apply(action)
    return result
  }

  apply (action: ReconfigureAction): void {
    const list = this.placement.get(action.shardId) ?? []
    const key = `${action.shardId}/${action.peerId}`
    switch (action.kind) {
      case 'program':
        list.push({ peerId: action.peerId, state: 'programming', inFlight: 0 })
        this.placement.set(action.shardId, list)
        this.uploadLeft.set(key, 1 + this.noiseRng.nextInt(this.maxUploadSteps))
        break
      case 'drain': {
        const r = list.find((x) => x.peerId === action.peerId)
        if (r !== undefined) {
          r.state = 'draining'
        }
        break
      }
      case 'activate': {
        const r = list.find((x) => x.peerId === action.peerId)
        if (r !== undefined) r.state = 'active'
        break
      }
      case 'release':
        this.placement.set(action.shardId, list.filter((x) => x.peerId !== action.peerId))
        this.uploadLeft.delete(key)
        break
    }
  }

  /** Time passes between steps: uploads progress or fail, drained calls finish, peers report their load. */
  advance (): void {
    for (let t = (Math.floor(this.nowMs / SAMPLE_MS) + 1) * SAMPLE_MS; t <= this.nowMs + this.stepMs; t += SAMPLE_MS) this.sample(t)
    this.nowMs += this.stepMs
    for (const [shardId, list] of this.placement) {
      const keep: ReplicaView[] = []
      for (const r of list) {
        const key = `${shardId}/${r.peerId}`
        if (r.state === 'programming' && this.peers.has(r.peerId)) {
          const left = (this.uploadLeft.get(key) ?? 1) - 1
          if (left <= 0) {
            this.uploadLeft.delete(key)
            if (this.noiseRng.nextFloat() < this.uploadFailure) continue
            r.state = 'active'
          } else {
            this.uploadLeft.set(key, left)
          }
        }
        if (r.state === 'draining' && r.inFlight > 0) r.inFlight--
        // Serving copies have a few calls outstanding at any moment, so a drain takes a step or more.
        if (r.state === 'active') r.inFlight = this.noiseRng.nextInt(4)
        keep.push(r)
      }
      this.placement.set(shardId, keep)
    }
  }

  leave (peerId: string): void {
    if (!this.peers.delete(peerId)) return
    this.memory.forget(peerId)
    this.departed.add(peerId)
  }

  join (p: WorldPeer): void {
    this.departed.delete(p.id)
    this.peers.set(p.id, { ...p })
  }

  /** Shards with at least one active copy on a live peer. */
  servedShards (): Set<string> {
    const out = new Set<string>()
    for (const [shardId, list] of this.placement) if (list.some((r) => r.state === 'active' && this.peers.has(r.peerId))) out.add(shardId)
    return out
  }

  migrations (): ReconfigureEvent[] {
    return this.events.filter((e) => e.type === 'migrate')
  }
}

/** `n` identical peers `p0`…. */
export function worldPeers (n: number, overrides: Partial<WorldPeer> = {}): WorldPeer[] {
  return Array.from({ length: n }, (_, i) => ({ id: `p${i}`, throughput: 1e7, speed: 1, tilesTotal: 8, foreignTiles: 0, trend: 'stable' as const, ...overrides }))
}
