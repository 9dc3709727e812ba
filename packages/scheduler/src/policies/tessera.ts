/**
 * tessera's placement policy: greedy by expected completion time (see score.ts), with capacity bookkeeping,
 * load awareness and replicas for hot shards.
 *
 * Placement:
 * 1. Shards are taken sensitive first (sensitivity ≥ 0.5, so low-noise tiles go to the shards that need them),
 *    then by decreasing work per request (expectedLoad × MACs), then by id.
 * 2. Each shard goes to the feasible peer with the lowest score. The score includes `committed`, the work per
 *    request the placement has already put on the peer, so each assignment raises the peer's predicted queue
 *    and later shards spread out. Exact ties are broken with the rng.
 * 3. Then, round by round, every shard that wants more copies (`replicas` > 1, hottest first) gets one more
 *    copy on the best feasible peer that does not hold it yet. A shard with r copies puts load/r on each, so the
 *    bookkeeping moves the load share off the existing holders as copies are added.
 * 4. Then speed-proportional replication (tessera-balance.ts): more copies, one at a time, each where it raises
 *    most the request rate the placement can sustain when calls are split among copies, while free tiles, the
 *    memory use of the first copies and the noise of the shards' devices allow.
 *
 * Routing: see {@link routeTessera}.
 */
import { expectedCompletionMs } from '../call-depth.js'
import { SENSITIVE_SHARD_THRESHOLD } from '../constants.js'
import { compareIds, pick } from '../pick.js'
import { callPathMs, createScoreModel, scoreShard } from '../score.js'
import { checkPeers, finishPlacement, normaliseShards, TileLedger } from '../validate.js'
import type { ScoreModel, ScoreModelInit } from '../score.js'
import { balanceByReplication } from './tessera-balance.js'
import type { PeerView, Placement, PlacementInput, PlacementPolicy, RouteInput } from '../types.js'
import type { Shard } from '../validate.js'

/** Options of {@link createTesseraPolicy}: the score model's parameters. */
export interface TesseraPolicyInit {
  score?: ScoreModelInit
}

/** Creates tessera's policy. */
export function createTesseraPolicy (init: TesseraPolicyInit = {}): PlacementPolicy {
  const model = createScoreModel(init.score)
  return {
    name: 'tessera',
    place: (input) => placeTessera(input, model),
    route: (input) => routeTessera(input, model)
  }
}

/** What one placement works on: the peers' capacity and committed work, and the copies assigned so far. */
interface TesseraPlacement {
  readonly peers: readonly PeerView[]
  readonly model: ScoreModel
  readonly rng: PlacementInput['rng']
  readonly ledger: TileLedger
  /** Peer id → work per request already placed on it, ms. */
  readonly committedMs: Map<string, number>
  /** Per shard: holder → compute time of one call there, to move load shares when copies are added. */
  readonly holders: Map<string, Map<string, number>>
  /** Shard id → its peers, in the order assigned. */
  readonly copies: Map<string, string[]>
  /** Shard id → why it has fewer copies than it wants. */
  readonly why: Map<string, string>
}

function placeTessera (input: PlacementInput, model: ScoreModel): Placement {
  const shards = normaliseShards(input.shards)
  checkPeers(input.peers)
  const peers = input.peers
  const work: TesseraPlacement = {
    peers,
    model,
    rng: input.rng,
    ledger: new TileLedger(peers),
    committedMs: new Map<string, number>(peers.map((p) => [p.peerId, 0])),
    holders: new Map(),
    copies: new Map(),
    why: new Map()
  }
  const order = [...shards].sort((a, b) => {
    const sa = a.sensitivity >= SENSITIVE_SHARD_THRESHOLD ? 1 : 0
    const sb = b.sensitivity >= SENSITIVE_SHARD_THRESHOLD ? 1 : 0
    return sb - sa || b.expectedLoad * b.macsPerRequest - a.expectedLoad * a.macsPerRequest || compareIds(a.id, b.id)
  })
  placeFirstCopies(work, order)
  addReplicas(work, order)
  balanceByReplication({
    peers,
    model,
    ledger: work.ledger,
    copies: work.copies,
    assign: (shard, peer) => { assign(work, shard, peer, scoreShard(shard, peer, model, { committedMs: work.committedMs.get(peer.peerId) }).computeMs) }
  }, order)
  return finishPlacement('tessera', shards, work.copies, work.ledger, work.why)
}

/** One copy of every shard, in placement order, on its best feasible peer. */
function placeFirstCopies (work: TesseraPlacement, order: readonly Shard[]): void {
  for (const shard of order) {
    const choice = bestPeer(work, shard, undefined)
    if (choice === undefined) {
      work.why.set(shard.id, infeasibleReason(shard, work.peers, work.ledger, work.model))
      continue
    }
    assign(work, shard, choice.peer, choice.computeMs)
  }
}

/** Round by round, one more copy of every placed shard that wants more, hottest first. */
function addReplicas (work: TesseraPlacement, order: readonly Shard[]): void {
  const hot = order.filter((s) => s.replicas > 1 && work.copies.has(s.id))
    .sort((a, b) => b.expectedLoad - a.expectedLoad || compareIds(a.id, b.id))
  const maxReplicas = Math.max(1, ...hot.map((s) => s.replicas))
  for (let round = 2; round <= maxReplicas; round++) {
    for (const shard of hot) {
      const held = work.holders.get(shard.id)
      if (held === undefined || shard.replicas < round || held.size !== round - 1) continue
      const choice = bestPeer(work, shard, held)
      if (choice === undefined) {
        work.why.set(shard.id, `only ${held.size} of ${shard.replicas} copies: no other peer can take it`)
        continue
      }
      assign(work, shard, choice.peer, choice.computeMs)
    }
  }
}

/** The feasible peer (not in `exclude`) with the lowest score for the shard; exact ties drawn with the rng. */
function bestPeer (work: TesseraPlacement, shard: Shard, exclude: Map<string, number> | undefined): { peer: PeerView, computeMs: number } | undefined {
  let bestPeers: Array<{ peer: PeerView, computeMs: number }> = []
  let bestMs = Number.POSITIVE_INFINITY
  for (const peer of work.peers) {
    if (exclude?.has(peer.peerId) === true) continue
    const s = scoreShard(shard, peer, work.model, { committedMs: work.committedMs.get(peer.peerId), tilesFree: work.ledger.remaining(peer.peerId) })
    if (!s.feasible) continue
    if (s.totalMs < bestMs) {
      bestMs = s.totalMs
      bestPeers = [{ peer, computeMs: s.computeMs }]
    } else if (s.totalMs === bestMs) {
      bestPeers.push({ peer, computeMs: s.computeMs })
    }
  }
  return pick(bestPeers, work.rng)
}

/** Assigns a copy of the shard to the peer: takes its tiles and moves the shard's load shares. */
function assign (work: TesseraPlacement, shard: Shard, peer: PeerView, computeMs: number): void {
  const { committedMs } = work
  work.ledger.take(peer, shard)
  let held = work.holders.get(shard.id)
  if (held === undefined) {
    held = new Map()
    work.holders.set(shard.id, held)
  }
  const before = held.size
  // Copies share the shard's load evenly: each holder's committed work moves from load/before to load/after.
  for (const [peerId, c] of held) {
    committedMs.set(peerId, (committedMs.get(peerId) ?? 0) - shard.expectedLoad * c / before + shard.expectedLoad * c / (before + 1))
  }
  held.set(peer.peerId, computeMs)
  committedMs.set(peer.peerId, (committedMs.get(peer.peerId) ?? 0) + shard.expectedLoad * computeMs / (before + 1))
  const list = work.copies.get(shard.id) ?? []
  list.push(peer.peerId)
  work.copies.set(shard.id, list)
}

/**
 * Routing: the call goes to the copy that would finish it first — round trip and the call's transfer on the
 * path (a relayed path's bandwidth is a tenth of a direct one's), plus (this coordinator's calls
 * outstanding there + 1) × the call's compute time at the peer's rate (measured, else advertised; another
 * client's load shows in the measured rate), or, where the coordinator's call slots on the path are the limit
 * (a long round trip, few slots: call-depth.ts), the slots' turns — scaled by the score's reliability,
 * result-error, trend and noise factors (score.ts), so a flaky, degrading or (for a sensitive shard) noisy copy
 * is used only when the others queue. Under load, outstanding calls settle in proportion to the rates the
 * copies can be reached at, which is the split the placement's replication planned for (tessera-balance.ts);
 * when idle, the quickest copy answers. The gossip's queue figures are left out: they count this coordinator's
 * own calls again.
 */
function routeTessera (input: RouteInput, model: ScoreModel): string | undefined {
  const [shard] = normaliseShards([input.shard])
  const views = new Map(input.peers.map((p) => [p.peerId, p]))
  let bestIds: string[] = []
  let bestMs = Number.POSITIVE_INFINITY
  for (const peerId of input.replicas) {
    const peer = views.get(peerId)
    if (peer === undefined) continue
    const pending = input.pending?.get(peerId) ?? 0
    const s = scoreShard(shard, peer, model, { programmed: true, pending })
    const ms = s.feasible
      ? expectedCompletionMs(peer, callPathMs(shard, peer, model), s.computeMs, pending) * s.reliabilityFactor * s.resultErrorFactor * s.trendFactor * s.noiseFactor
      : Number.POSITIVE_INFINITY
    if (ms < bestMs) {
      bestMs = ms
      bestIds = [peerId]
    } else if (ms === bestMs) {
      bestIds.push(peerId)
    }
  }
  if (bestIds.length === 0) return input.replicas[0]
  return pick(bestIds, input.rng)
}

function infeasibleReason (shard: Shard, peers: readonly PeerView[], ledger: TileLedger, model: ScoreModel): string {
  if (peers.length === 0) return 'no peers'
  const reasons = peers.slice(0, 4).map((peer) => {
    const s = scoreShard(shard, peer, model, { tilesFree: ledger.remaining(peer.peerId) })
    return `${peer.peerId}: ${s.reason ?? 'feasible'}`
  })
  return `no feasible peer (${reasons.join('; ')}${peers.length > 4 ? `; ${peers.length - 4} more` : ''})`
}
