/**
 * Speed-proportional replication for tessera's placement. One copy per shard leaves a heterogeneous network
 * unbalanced: a shard's calls all land on its one holder, so the slowest loaded peer sets the rate while faster
 * peers idle. With copies on several peers, calls can be split among them (tessera's router sends each call to
 * the copy that finishes it soonest), and the rate the placement can sustain is the optimum of a transportation
 * problem (flow.ts): every shard's work split among its holders, no peer above its rate.
 *
 * A peer's rate here is what the coordinator can reach of it: its device's rate, less what a long round trip
 * leaves idle when the coordinator's call slots on the path are few (a relayed path; call-depth.ts).
 *
 * Copies are added for a target rate λ: at λ, solve the max-flow; while some shard's work finds no holder with
 * room, copy the shard with work left over onto the peer with the most rate left over (the pair whose new copy
 * can carry the most: min of the two), until everything fits or no copy is allowed. The highest target that
 * can be reached this way is found by bisection between the rate of the copies placed so far and the rate of the
 * whole network on the whole work; only that target's copies are added.
 *
 * Three guards keep the copies from costing what the placement is measured on or needs to recover:
 * - memory: the placement's cells in use ÷ cells allocated (every copy counted) must end at least at
 *   {@link MIN_REPLICATED_MEMORY_UTILISATION}, or where the copies placed before balancing left it if higher (or,
 *   when not even a small gain is reachable so, where they left it). A sparse shard (a tile packed with the leftovers of several layers,
 *   called once per layer) is often the bottleneck; its copies lower that ratio, so a target that needs them is
 *   reached only if copies of full shards — of the shards with the most work per unit of their holders' rate,
 *   which routing then uses — bring the ratio back (topUp);
 * - noise: a copy of a shard goes only to a device whose noise penalty for it (score.ts) is no worse than that of
 *   the noisiest device already holding it, so replicas never make a sensitive layer noisier than placed;
 * - recovery: copies leave enough free tiles that the shards any one peer alone holds can be placed again on the
 *   others if it leaves ({@link recoverableWith}).
 */
import { pathBusyFraction } from '../call-depth.js'
import { MIN_REPLICATED_MEMORY_UTILISATION } from '../constants.js'
import { compareIds } from '../pick.js'
import { callPathMs, effectiveThroughput, scoreShard } from '../score.js'
import { flowAt, maxThroughput } from '../flow.js'
import type { FlowShard } from '../flow.js'
import type { ScoreModel } from '../score.js'
import type { PeerView } from '../types.js'
import { geometryFits } from '../validate.js'
import type { Shard, TileLedger } from '../validate.js'

/** Copies are added only for a target rate at least this fraction above what the placed copies sustain. */
export const MIN_BALANCE_GAIN = 0.01
/** Bisection steps on the target rate. */
const TARGET_BISECTIONS = 14

/** What balancing reads and changes of a placement in the making. */
export interface BalanceWork {
  readonly peers: readonly PeerView[]
  readonly model: ScoreModel
  readonly ledger: TileLedger
  /** Shard id → its peers, in the order assigned. */
  readonly copies: ReadonlyMap<string, readonly string[]>
  /** Adds a copy of `shard` on `peer` (tiles, bookkeeping). */
  readonly assign: (shard: Shard, peer: PeerView) => void
}

/**
 * What balancing did: sustainable rate before and after (requests/s in units of `macsPerRequest`; NaN when no
 * shard may have more copies), copies added.
 */
export interface BalanceOutcome {
  before: number
  after: number
  added: number
}

/** Work per model request of a shard, MACs: calls per request × MACs per call. */
export function shardWork (shard: Shard): number {
  return shard.expectedLoad * shard.macsPerRequest
}

/** The placement's typical call: MACs and bytes of the calls weighted by the work they carry. */
export function typicalCall (shards: readonly Shard[]): { macs: number, requestBytes: number } {
  let work = 0
  let macs = 0
  let requestBytes = 0
  for (const x of shards) {
    work += shardWork(x)
    macs += shardWork(x) * x.macsPerRequest
    requestBytes += shardWork(x) * x.requestBytes
  }
  return work > 0 ? { macs: macs / work, requestBytes: requestBytes / work } : { macs: 0, requestBytes: 0 }
}

/**
 * Each peer's rate, MAC/s, as far as the coordinator's call slots on its path can keep it busy with the
 * placement's typical call (call-depth.ts): a fast peer behind a long relayed round trip with few slots computes
 * less than its device could, and copies planned for its full rate would leave their work unserved.
 */
export function reachableRates (peers: readonly PeerView[], shards: readonly Shard[], model: ScoreModel): Map<string, number> {
  const call = typicalCall(shards)
  return new Map(peers.map((p) => {
    const rate = effectiveThroughput(p)
    return [p.peerId, rate > 0 ? rate * pathBusyFraction(p, callPathMs(call, p, model), (call.macs / rate) * 1000) : rate]
  }))
}

/** Cells a copy of `shard` allocates on `peer`: whole tiles of the peer's geometry. */
function allocatedCells (shard: Shard, peer: PeerView): number {
  return shard.tilesNeeded * peer.device.geometry.rows * peer.device.geometry.cols
}

function noiseFactor (shard: Shard, peer: PeerView, model: ScoreModel): number {
  const excess = Math.max(0, peer.device.noiseLevel - model.noiseThreshold) / model.noiseThreshold
  return 1 + model.noisePenaltyWeight * shard.sensitivity * excess
}

/** A trial of one target rate: copies as they would be, tiles left, memory totals. */
interface Trial {
  holders: Map<string, string[]>
  tilesLeft: Map<string, number>
  cells: number
  allocated: number
  added: Array<{ shard: Shard, peer: PeerView }>
}

/** Fixed facts of one balancing. */
interface Setting {
  work: BalanceWork
  placed: Shard[]
  rates: Map<string, number>
  memoryFloor: number
  /** Shard id → the noise penalty of its noisiest holder before balancing. */
  worstNoise: Map<string, number>
}

function flowShards (s: Setting, holders: ReadonlyMap<string, readonly string[]>): FlowShard[] {
  return s.placed.map((shard) => ({ id: shard.id, work: shardWork(shard), holders: holders.get(shard.id) ?? [] }))
}

/** Whether a copy of `shard` may go on `peer` in the trial (tiles, geometry, noise, relay limits, recovery room). */
function allowed (s: Setting, trial: Trial, shard: Shard, peer: PeerView): boolean {
  const holders = trial.holders.get(shard.id) ?? []
  if (holders.length >= shard.maxReplicas || holders.includes(peer.peerId)) return false
  if ((trial.tilesLeft.get(peer.peerId) ?? 0) < shard.tilesNeeded || !geometryFits(peer.device.geometry, shard.geometry)) return false
  if (noiseFactor(shard, peer, s.work.model) > (s.worstNoise.get(shard.id) ?? 1)) return false
  if (!scoreShard(shard, peer, s.work.model, { tilesFree: trial.tilesLeft.get(peer.peerId) }).feasible) return false
  return recoverableWith(s, trial, shard, peer)
}

/**
 * Whether, with a copy of `shard` added on `peer`, the loss of any one peer still leaves room elsewhere for the
 * tiles of the shards it alone holds (or no less room than before, where there was too little already): replicas
 * must not take the free tiles a re-placement needs (a node leaving mid-run once found every other tile taken by
 * copies, and the shard only it held could go nowhere).
 */
function recoverableWith (s: Setting, trial: Trial, shard: Shard, peer: PeerView): boolean {
  return recoveryDeficit(s, trial) >= recoveryDeficit(s, trial, { shard, peer }) || recoveryDeficit(s, trial, { shard, peer }) <= 0
}

/** Most tiles some peer's sole copies would lack on the other peers' free tiles if it left (≤ 0: none lack). */
function recoveryDeficit (s: Setting, trial: Trial, extra?: { shard: Shard, peer: PeerView }): number {
  const soleTiles = new Map<string, number>()
  for (const x of s.placed) {
    const holders = trial.holders.get(x.id) ?? []
    const count = holders.length + (extra?.shard.id === x.id ? 1 : 0)
    if (count === 1) soleTiles.set(holders[0], (soleTiles.get(holders[0]) ?? 0) + x.tilesNeeded)
  }
  const free = (p: string): number => (trial.tilesLeft.get(p) ?? 0) - (p === extra?.peer.peerId ? extra.shard.tilesNeeded : 0)
  let totalFree = 0
  for (const p of s.work.peers) totalFree += free(p.peerId)
  let deficit = Number.NEGATIVE_INFINITY
  for (const p of s.work.peers) deficit = Math.max(deficit, (soleTiles.get(p.peerId) ?? 0) - (totalFree - free(p.peerId)))
  return deficit
}

/** Adds copies to `trial` until every shard's work fits at `lambda`; true when it does. */
function reach (s: Setting, trial: Trial, lambda: number): boolean {
  const byId = new Map(s.placed.map((x) => [x.id, x]))
  // Each round adds one copy, and a peer can take at most its free tiles: the loop ends.
  for (;;) {
    const f = flowAt(flowShards(s, trial.holders), s.rates, lambda)
    if (f.feasible) return true
    let best: { shard: Shard, peer: PeerView, carry: number } | undefined
    for (const [shardId, left] of [...f.unrouted].sort((a, b) => compareIds(a[0], b[0]))) {
      const shard = byId.get(shardId) as Shard
      for (const peer of s.work.peers) {
        const spare = f.spare.get(peer.peerId) ?? 0
        if (!(spare > 0)) continue
        const carry = Math.min(left, spare)
        if (best !== undefined && carry <= best.carry) continue
        if (!allowed(s, trial, shard, peer)) continue
        best = { shard, peer, carry }
      }
    }
    if (best === undefined) return false
    addCopy(trial, best.shard, best.peer)
  }
}

function addCopy (trial: Trial, shard: Shard, peer: PeerView): void {
  trial.holders.set(shard.id, [...(trial.holders.get(shard.id) ?? []), peer.peerId])
  trial.tilesLeft.set(peer.peerId, (trial.tilesLeft.get(peer.peerId) ?? 0) - shard.tilesNeeded)
  trial.cells += shard.cells
  trial.allocated += allocatedCells(shard, peer)
  trial.added.push({ shard, peer })
}

/**
 * Brings the trial's memory use back to the floor with copies that fill their tiles better than the floor: of
 * the shard with the most work per MAC/s of its holders (the copy routing can use most), on the allowed peer
 * with the most rate. True when the floor is met.
 */
function topUp (s: Setting, trial: Trial): boolean {
  const memory = (): number => trial.allocated > 0 ? trial.cells / trial.allocated : 1
  while (memory() < s.memoryFloor - 1e-12) {
    let best: { shard: Shard, peer: PeerView, pressure: number, rate: number } | undefined
    for (const shard of s.placed) {
      const holdersRate = (trial.holders.get(shard.id) ?? []).reduce((sum, p) => sum + (s.rates.get(p) ?? 0), 0)
      const pressure = shardWork(shard) / Math.max(holdersRate, 1)
      if (best !== undefined && pressure < best.pressure) continue
      for (const peer of s.work.peers) {
        if (shard.cells / allocatedCells(shard, peer) <= s.memoryFloor) continue
        const rate = s.rates.get(peer.peerId) ?? 0
        if (best !== undefined && pressure === best.pressure && rate <= best.rate) continue
        if (!allowed(s, trial, shard, peer)) continue
        best = { shard, peer, pressure, rate }
      }
    }
    if (best === undefined) return false
    addCopy(trial, best.shard, best.peer)
  }
  return true
}

/**
 * Adds copies of the placed shards for the highest target rate they can reach (see the module comment).
 */
export function balanceByReplication (work: BalanceWork, shards: readonly Shard[]): BalanceOutcome {
  const byId = new Map(work.peers.map((p) => [p.peerId, p]))
  const placed = shards.filter((x) => (work.copies.get(x.id)?.length ?? 0) > 0 && shardWork(x) > 0)
  const rates = reachableRates(work.peers, placed, work.model)
  if (!placed.some((x) => x.maxReplicas > (work.copies.get(x.id)?.length ?? 0))) return { before: Number.NaN, after: Number.NaN, added: 0 }
  const holders = new Map(placed.map((x) => [x.id, [...(work.copies.get(x.id) ?? [])]]))
  let cells = 0
  let allocated = 0
  const worstNoise = new Map<string, number>()
  for (const x of placed) {
    for (const p of holders.get(x.id) ?? []) {
      const peer = byId.get(p)
      if (peer === undefined) continue
      cells += x.cells
      allocated += allocatedCells(x, peer)
      worstNoise.set(x.id, Math.max(worstNoise.get(x.id) ?? 1, noiseFactor(x, peer, work.model)))
    }
  }
  const placedMemory = allocated > 0 ? cells / allocated : 1
  const setting: Setting = { work, placed, rates, memoryFloor: Math.max(placedMemory, MIN_REPLICATED_MEMORY_UTILISATION), worstNoise }
  const before = maxThroughput(flowShards(setting, holders), rates).lambda
  const totalWork = placed.reduce((sum, x) => sum + shardWork(x), 0)
  const totalRate = work.peers.reduce((sum, p) => sum + ((work.ledger.remaining(p.peerId) > 0 || [...holders.values()].some((h) => h.includes(p.peerId))) ? rates.get(p.peerId) ?? 0 : 0), 0)
  const fresh = (): Trial => ({
    holders: new Map([...holders].map(([k, v]) => [k, [...v]])),
    tilesLeft: new Map(work.peers.map((p) => [p.peerId, work.ledger.remaining(p.peerId)])),
    cells,
    allocated,
    added: []
  })
  const ceiling = totalWork > 0 ? totalRate / totalWork : 0
  if (!(before > 0) || !(ceiling > before * (1 + MIN_BALANCE_GAIN))) return { before, after: before, added: 0 }
  // The highest target reachable with the memory floor; where even the smallest gain needs more tiles than the
  // floor leaves, with the floor the copies placed before replication set.
  let chosen = highestTarget(setting, fresh, before, ceiling)
  if (chosen === undefined && setting.memoryFloor > placedMemory) chosen = highestTarget({ ...setting, memoryFloor: placedMemory }, fresh, before, ceiling)
  if (chosen === undefined) return { before, after: before, added: 0 }
  for (const { shard, peer } of chosen.added) work.assign(shard, peer)
  return { before, after: maxThroughput(flowShards(setting, chosen.holders), rates).lambda, added: chosen.added.length }
}

/** Bisection on the target rate between `before` and `ceiling`: the trial of the highest target reached. */
function highestTarget (setting: Setting, fresh: () => Trial, before: number, ceiling: number): Trial | undefined {
  let lo = before
  let hi = ceiling
  let chosen: Trial | undefined
  for (let i = 0; i < TARGET_BISECTIONS; i++) {
    const target = i === 0 ? hi : (lo + hi) / 2
    const trial = fresh()
    if (reach(setting, trial, target) && topUp(setting, trial)) {
      lo = target
      chosen = trial
      if (i === 0) break
    } else {
      hi = target
    }
  }
  return lo > before * (1 + MIN_BALANCE_GAIN) ? chosen : undefined
}
