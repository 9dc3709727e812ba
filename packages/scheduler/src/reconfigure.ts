/**
 * The reconfiguration step: a pure state machine (in the manner of etcd's raft `Step`) that a coordinator calls
 * every few seconds with its placement and what the dual memory now says, and that answers with decisions
 * (events for the log) and actions (effects to carry out). No I/O; the clock and the random source are
 * arguments; the same state, input and rng seed give the same output.
 *
 * One step, in priority order:
 * 1. admit peers seen for the first time (they become targets for everything below);
 * 2. drop copies on departed peers (`release` with `peerGone`), abort operations that targeted them;
 * 3. advance operations: a programmed target that became active switches traffic — the old copy of a migration
 *    is drained —, a programming timeout cancels; a released source ends the operation;
 * 4. safety: a shard left with no active copy gets a draining copy back (`activate`);
 * 5. release draining copies whose in-flight calls are done (or whose drain timed out), never a shard's last;
 * 6. replace lost copies at once — no hysteresis, no cap, only capacity — shards without any copy first; when
 *    every peer left looks saturated, the least utilised one takes the copy (a slow copy beats none);
 * 7. migrate a copy off a peer that is overloaded, slower than it used to be or trending worse, when the
 *    expected completion time on the best other peer beats the old one by `gainThreshold` at `confirmChecks`
 *    consecutive steps; at most `maxConcurrentMigrations` uploads (migrations + replications) at once and one
 *    move per shard per `cooldownMs`; a peer that is only overloaded sheds one copy per `overloadSettleMs`
 *    (its reports need that long to show the move, and one move is often enough);
 * 8. replicate hot shards (utilisation of their copies ≥ `replicateUtilisation`, predicted gain ≥ threshold,
 *    K consecutive checks) onto spare capacity;
 * 9. evict copies beyond the shard's own `replicas` once the others would run at ≤ `evictUtilisation` (K checks).
 *
 * Make-before-break: a migration is `program` new → (coordinator reports it `active`: traffic switches to it)
 * → `drain` old → `release` old once its in-flight calls are done. No action of the step ever leaves a shard that
 * has an active copy without one. Tiles: a target must have room for the shard after subtracting the tiles of
 * copies still programming and of every upload decided in the same step, so tiles are never over-committed.
 */
import { compareIds, pick } from './pick.js'
import { ClockWentBackwardsError } from '@tessera/memory'
import { InvalidSchedulerInputError } from './errors.js'
import { createReconfigureConfig } from './reconfigure-config.js'
import { ConsecutiveChecks, coolingDown, counterKey, liveCooldowns } from './reconfigure-hysteresis.js'
import { bestDraining, fmt, migrationGain, migrationTrigger, pool, replicationGain, worstHolder } from './reconfigure-gain.js'
import { readLoads, readPlacement } from './reconfigure-input.js'
import { LoadModel, poolResponseMs, poolUtilisation, serviceTimeMs } from './reconfigure-load.js'
import { createReconfigureState, replicaKey } from './reconfigure-state.js'
import { scoreShard } from './score.js'
import { checkPeers, normaliseShards, TileLedger } from './validate.js'
import type { Rng } from '@tessera/crossbar'
import type { ReconfigureConfig, ReconfigureInit } from './reconfigure-config.js'
import type { ReconfigureAction, ReconfigureEvent, UnplacedShard } from './reconfigure-events.js'
import type { Work } from './reconfigure-input.js'
import type { Holder } from './reconfigure-load.js'
import type { Operation, ReconfigureState, ReconfigureStateInit, ReplicaView } from './reconfigure-state.js'
import type { PeerView, ShardSpec } from './types.js'
import type { Shard } from './validate.js'

/** What the coordinator knows at one step. */
export interface ReconfigureInput {
  /** Every shard of the job (the coordinator holds their weights). */
  shards: readonly ShardSpec[]
  /**
   * The coordinator's placement: shard id → its copies. A shard without an entry has no copy and is placed.
   * It must reflect every action of the previous step (see {@link ReconfigureAction}).
   */
  replicas: ReadonlyMap<string, readonly ReplicaView[]>
  /**
   * Current views of the peers (capacity records + both memories). `device.tilesFree` must already count the
   * tiles of this coordinator's `active` and `draining` copies on the peer; the step subtracts those of
   * `programming` copies itself (counting them twice only makes it cautious).
   */
  peers: readonly PeerView[]
  /** Peers known to have left (their copies are lost); they are never targets. */
  departed?: Iterable<string>
  /** Shard id → calls per second the coordinator sends it now (absent: 0). */
  loadPerSec?: ReadonlyMap<string, number>
  /** The coordinator's clock, ms; never earlier than at the previous step. */
  nowMs: number
  /** Breaks exact ties between targets (from `createRng(seed)`). */
  rng: Rng
}

/** Output of one step. */
export interface ReconfigureResult {
  /** The state to pass to the next step. */
  state: ReconfigureState
  /** Decisions taken at this step, in the order taken. */
  events: ReconfigureEvent[]
  /** Effects to carry out, in order, before the next step. */
  actions: ReconfigureAction[]
  /** Shards short of copies that no peer can take now. */
  unplaced: UnplacedShard[]
}

/** The reconfiguration core with its configuration bound. */
export interface Reconfigurer {
  readonly config: ReconfigureConfig
  /** The state before the first step. */
  initialState: (init?: ReconfigureStateInit) => ReconfigureState
  /** One step: pure, see the module comment. */
  step: (state: ReconfigureState, input: ReconfigureInput) => ReconfigureResult
}

/**
 * Creates the reconfiguration core. Throws {@link InvalidSchedulerOptionError} on a bad option.
 *
 * @example
 * ```ts
 * const reconfigurer = createReconfigurer({ confirmChecks: 3 })
 * let state = reconfigurer.initialState({ knownPeers: peers.map((p) => p.peerId) })
 * // every few seconds:
 * const { state: next, events, actions } = reconfigurer.step(state, {
 *   shards, replicas, peers, departed, loadPerSec, nowMs: Date.now(), rng: createRng('run-1/reconfigure')
 * })
 * state = next
 * for (const action of actions) apply(action) // program / drain / activate / release
 * ```
 */
export function createReconfigurer (init: ReconfigureInit = {}): Reconfigurer {
  const config = createReconfigureConfig(init)
  return {
    config,
    initialState: (stateInit) => createReconfigureState(stateInit),
    step: (state, input) => reconfigureStep(state, input, config)
  }
}

/** One step of the reconfiguration core with an explicit configuration (see {@link createReconfigurer}). */
export function reconfigureStep (state: ReconfigureState, input: ReconfigureInput, config: ReconfigureConfig): ReconfigureResult {
  const nowMs = input.nowMs
  if (!Number.isFinite(nowMs)) throw new InvalidSchedulerInputError(`nowMs must be finite, got ${nowMs}`)
  if (nowMs < state.lastStepMs) throw new ClockWentBackwardsError(`nowMs ${nowMs} is earlier than the previous step's ${state.lastStepMs}`)
  const shards = normaliseShards(input.shards).sort((a, b) => compareIds(a.id, b.id))
  const shardById = new Map(shards.map((s) => [s.id, s]))
  checkPeers(input.peers)
  const departed = new Set(input.departed ?? [])
  const views = new Map<string, PeerView>()
  for (const p of [...input.peers].sort((a, b) => compareIds(a.peerId, b.peerId))) if (!departed.has(p.peerId)) views.set(p.peerId, p)
  const rates = readLoads(input.loadPerSec, shardById)
  const placement = readPlacement(input.replicas, shardById)

  const events: ReconfigureEvent[] = []
  const actions: ReconfigureAction[] = []
  const unplaced: UnplacedShard[] = []
  const model = config.score
  let operations: Operation[] = state.operations.filter((op) => shardById.has(op.shardId)).map((op) => ({ ...op }))
  const cooldowns = liveCooldowns(state.cooldownUntilMs, nowMs)
  const lostFrom = new Map<string, string[]>()
  for (const [id, peers] of state.lostFrom) if (shardById.has(id)) lostFrom.set(id, [...peers])
  const wanted = new Map<string, number>()
  for (const shard of shards) {
    const previous = state.copiesWanted.get(shard.id)
    const listed = (input.replicas.get(shard.id) ?? []).filter((r) => r.state !== 'draining').length
    wanted.set(shard.id, Math.max(shard.replicas, previous ?? listed))
  }
  const find = (shardId: string, peerId: string | undefined): Work | undefined =>
    peerId === undefined ? undefined : placement.get(shardId)?.find((r) => r.peerId === peerId)
  const remove = (shardId: string, peerId: string): void => {
    const list = placement.get(shardId)
    if (list !== undefined) placement.set(shardId, list.filter((r) => r.peerId !== peerId))
  }
  const release = (shardId: string, peerId: string, peerGone: boolean): void => {
    actions.push({ kind: 'release', shardId, peerId, peerGone })
    remove(shardId, peerId)
  }

  // 1. Admit new peers.
  const knownPeers = new Set([...state.knownPeers].filter((id) => !departed.has(id)))
  for (const peerId of views.keys()) {
    if (knownPeers.has(peerId)) continue
    knownPeers.add(peerId)
    events.push({ type: 'admit', to: peerId, reason: `new peer: ${describePeer(views.get(peerId) as PeerView)}`, predictedGain: null, atMs: nowMs })
  }

  // 2. Copies on departed peers are gone.
  for (const shard of shards) {
    for (const r of [...(placement.get(shard.id) ?? [])]) {
      if (!departed.has(r.peerId)) continue
      const wasCopy = r.state === 'active' || (r.state === 'programming' && !operations.some((op) => op.shardId === shard.id && op.to === r.peerId))
      const lost = lostFrom.get(shard.id) ?? []
      if (wasCopy && !lost.includes(r.peerId)) lostFrom.set(shard.id, [...lost, r.peerId])
      release(shard.id, r.peerId, true)
    }
  }

  // 3. Advance operations.
  const abort = (op: Operation): void => {
    if (op.kind === 'replicate') wanted.set(op.shardId, Math.max(shardById.get(op.shardId)?.replicas ?? 1, (wanted.get(op.shardId) ?? 1) - 1))
  }
  operations = operations.filter((op) => {
    if (op.phase === 'programming') {
      const target = find(op.shardId, op.to)
      if (target === undefined) {
        abort(op)
        return false
      }
      if (target.state === 'programming') {
        if (nowMs - op.sinceMs < config.programTimeoutMs) return true
        release(op.shardId, target.peerId, false)
        abort(op)
        return false
      }
      if (target.state === 'draining' || op.kind !== 'migrate') return false
      const source = find(op.shardId, op.from)
      if (source === undefined) return false
      if (source.state === 'active') {
        actions.push({ kind: 'drain', shardId: op.shardId, peerId: source.peerId })
        source.state = 'draining'
      }
      op.phase = 'draining'
      op.sinceMs = nowMs
      return true
    }
    const source = find(op.shardId, op.from)
    return source !== undefined && source.state === 'draining'
  })

  // 4. A shard with no active copy left gets a draining one back.
  for (const shard of shards) {
    const list = placement.get(shard.id) ?? []
    if (list.some((r) => r.state === 'active')) continue
    const draining = list.filter((r) => r.state === 'draining')
    if (draining.length === 0) continue
    const back = bestDraining(shard, draining, views, config)
    actions.push({ kind: 'activate', shardId: shard.id, peerId: back.peerId })
    back.state = 'active'
    operations = operations.filter((op) => !(op.shardId === shard.id && op.from === back.peerId && op.phase === 'draining'))
  }

  // 5. Release drained copies.
  const drainingSinceMs = new Map<string, number>()
  for (const shard of shards) {
    const list = placement.get(shard.id) ?? []
    if (!list.some((r) => r.state === 'active')) continue
    for (const r of list.filter((x) => x.state === 'draining')) {
      const key = replicaKey(shard.id, r.peerId)
      const since = state.drainingSinceMs.get(key) ?? nowMs
      if (r.inFlight === 0 || nowMs - since >= config.drainTimeoutMs) {
        release(shard.id, r.peerId, false)
        operations = operations.filter((op) => !(op.shardId === shard.id && op.from === r.peerId))
      } else {
        drainingSinceMs.set(key, since)
      }
    }
  }

  // Capacity and load as they stand after the bookkeeping above.
  const reservedTiles = new Map<string, number>()
  for (const shard of shards) {
    for (const r of placement.get(shard.id) ?? []) {
      if (r.state === 'programming') reservedTiles.set(r.peerId, (reservedTiles.get(r.peerId) ?? 0) + shard.tilesNeeded)
    }
  }
  const targets = [...views.values()].map((p) => ({ ...p, device: { ...p.device, tilesFree: Math.max(0, p.device.tilesFree - (reservedTiles.get(p.peerId) ?? 0)) } }))
  const ledger = new TileLedger(targets)
  const holdersOf = (shard: Shard): Holder[] => (placement.get(shard.id) ?? [])
    .filter((r) => r.state === 'active' && views.has(r.peerId))
    .map((r) => {
      const peer = views.get(r.peerId) as PeerView
      return { peer, serviceMs: serviceTimeMs(shard, peer) }
    })
  const load = new LoadModel([...views.values()], shards.map((s) => ({ rate: rates.get(s.id) ?? 0, holders: holdersOf(s) })))

  const bestTarget = (shard: Shard, addedRate: number, rng: Rng): { peer: PeerView, totalMs: number, serviceMs: number } | undefined => {
    const exclude = new Set((placement.get(shard.id) ?? []).map((r) => r.peerId))
    let best: Array<{ peer: PeerView, totalMs: number, serviceMs: number }> = []
    let bestMs = Number.POSITIVE_INFINITY
    for (const peer of targets) {
      if (exclude.has(peer.peerId)) continue
      const serviceMs = serviceTimeMs(shard, peer)
      if (!Number.isFinite(serviceMs)) continue
      const committedMs = load.addedWaitMs(peer.peerId, addedRate, serviceMs)
      if (!Number.isFinite(committedMs)) continue
      const s = scoreShard(shard, peer, model, { tilesFree: ledger.remaining(peer.peerId), committedMs })
      if (!s.feasible || !Number.isFinite(s.totalMs)) continue
      if (s.totalMs < bestMs) {
        bestMs = s.totalMs
        best = [{ peer, totalMs: s.totalMs, serviceMs }]
      } else if (s.totalMs === bestMs) {
        best.push({ peer, totalMs: s.totalMs, serviceMs })
      }
    }
    return pick(best, rng)
  }
  // A lost copy must go somewhere even when every peer left looks saturated (the load model caps utilisation):
  // then the feasible peer with the lowest utilisation, ties by score, takes it.
  const leastLoadedTarget = (shard: Shard, rng: Rng): { peer: PeerView, totalMs: number, serviceMs: number } | undefined => {
    const exclude = new Set((placement.get(shard.id) ?? []).map((r) => r.peerId))
    let best: Array<{ peer: PeerView, totalMs: number, serviceMs: number }> = []
    let bestKey: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]
    for (const peer of targets) {
      if (exclude.has(peer.peerId)) continue
      const serviceMs = serviceTimeMs(shard, peer)
      if (!Number.isFinite(serviceMs)) continue
      const s = scoreShard(shard, peer, model, { tilesFree: ledger.remaining(peer.peerId), committedMs: 0 })
      if (!s.feasible || !Number.isFinite(s.totalMs)) continue
      const key: [number, number] = [load.utilisation(peer.peerId), s.totalMs]
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        bestKey = key
        best = [{ peer, totalMs: s.totalMs, serviceMs }]
      } else if (key[0] === bestKey[0] && key[1] === bestKey[1]) {
        best.push({ peer, totalMs: s.totalMs, serviceMs })
      }
    }
    return pick(best, rng)
  }
  const program = (shard: Shard, peer: PeerView): void => {
    ledger.take(peer, shard)
    actions.push({ kind: 'program', shardId: shard.id, peerId: peer.peerId, tiles: shard.tilesNeeded })
    placement.set(shard.id, [...(placement.get(shard.id) ?? []), { peerId: peer.peerId, state: 'programming', inFlight: 0 }])
  }
  const liveCopies = (shardId: string): number => (placement.get(shardId) ?? []).filter((r) => r.state !== 'draining').length
  const activeCopies = (shardId: string): number => (placement.get(shardId) ?? []).filter((r) => r.state === 'active').length

  // 6. Replace lost copies: shards with no live copy first, then the busiest.
  const replaceOrder = [...shards].sort((a, b) =>
    Number(liveCopies(a.id) > 0) - Number(liveCopies(b.id) > 0) || (rates.get(b.id) ?? 0) - (rates.get(a.id) ?? 0) || compareIds(a.id, b.id))
  for (const shard of replaceOrder) {
    const want = wanted.get(shard.id) ?? shard.replicas
    const lost = lostFrom.get(shard.id) ?? []
    while (liveCopies(shard.id) < want) {
      const rate = rates.get(shard.id) ?? 0
      const target = bestTarget(shard, rate / want, input.rng) ?? leastLoadedTarget(shard, input.rng)
      if (target === undefined) {
        unplaced.push({ shardId: shard.id, reason: `${liveCopies(shard.id)} of ${want} cop${want === 1 ? 'y' : 'ies'} live and no peer can take it (${noTargetReason(shard, targets, ledger)})` })
        break
      }
      const from = lost.shift()
      const live = liveCopies(shard.id)
      program(shard, target.peer)
      load.shift(target.peer.peerId, (rate / want) * target.serviceMs / 1000)
      operations.push({ kind: 'replace', shardId: shard.id, from, to: target.peer.peerId, phase: 'programming', sinceMs: nowMs })
      events.push({
        type: 'replace',
        shardId: shard.id,
        ...(from === undefined ? {} : { from }),
        to: target.peer.peerId,
        reason: from === undefined ? `${live} of ${want} cop${want === 1 ? 'y' : 'ies'} live` : `peer ${from} departed (${live} of ${want} cop${want === 1 ? 'y' : 'ies'} left)`,
        predictedGain: null,
        atMs: nowMs
      })
    }
    if (lost.length > 0 && liveCopies(shard.id) < want) lostFrom.set(shard.id, lost)
    else lostFrom.delete(shard.id)
  }

  // 7–9. Optional moves, with hysteresis, cool-down and a cap.
  const checks = new ConsecutiveChecks(state.counters)
  let slots = config.maxConcurrentMigrations - operations.filter((op) => op.kind === 'migrate' || op.kind === 'replicate').length
  const busy = new Set(operations.map((op) => op.shardId))
  // Two cool-downs per shard: one after a migration holds its next migration (no ping-pong between peers), one
  // after a replication or eviction holds the next change of its copy count. A copy added for load a moment ago
  // may still leave a peer that then slows down.
  const migrationKey = (shard: Shard): string => `migrate\u0000${shard.id}`
  const copiesKey = (shard: Shard): string => `copies\u0000${shard.id}`
  const migratable = shards.filter((s) => !busy.has(s.id) && !coolingDown(cooldowns, migrationKey(s), nowMs))
  const movable = shards.filter((s) => !busy.has(s.id) && !coolingDown(cooldowns, copiesKey(s), nowMs))
  const shedding = liveCooldowns(state.sheddingUntilMs, nowMs)
  const decided = (shard: Shard, key: string): void => {
    busy.add(shard.id)
    cooldowns.set(key, nowMs + config.cooldownMs)
  }

  // 7. Migrations.
  interface MigrationCandidate { shard: Shard, from: Holder, gain: number, key: string }
  const migrations: MigrationCandidate[] = []
  for (const shard of migratable) {
    const holders = holdersOf(shard)
    const rate = rates.get(shard.id) ?? 0
    for (const holder of holders) {
      const key = counterKey('migrate', shard.id, holder.peer.peerId)
      const trigger = migrationTrigger(holder.peer, load.utilisation(holder.peer.peerId), config)
      if (trigger === undefined || (trigger.overloadOnly && (shedding.get(holder.peer.peerId) ?? Number.NEGATIVE_INFINITY) > nowMs)) {
        checks.check(key, false)
        continue
      }
      const gain = migrationGain(shard, holder, rate / holders.length, bestTarget, input.rng, model)
      const count = checks.check(key, gain !== undefined && gain.gain >= config.gainThreshold)
      if (count >= config.confirmChecks && gain !== undefined) migrations.push({ shard, from: holder, gain: gain.gain, key })
    }
  }
  migrations.sort((a, b) => b.gain - a.gain || compareIds(a.shard.id, b.shard.id) || compareIds(a.from.peer.peerId, b.from.peer.peerId))
  for (const { shard, from, key } of migrations) {
    if (slots <= 0) break
    if (busy.has(shard.id)) continue
    const holders = holdersOf(shard)
    const share = (rates.get(shard.id) ?? 0) / holders.length
    // Earlier decisions of this step may have taken load off the peer (one move often ends an overload; the
    // rest of its copies stay) or taken the best target: decide on the figures as they are now.
    const trigger = migrationTrigger(from.peer, load.utilisation(from.peer.peerId), config)
    if (trigger === undefined || (trigger.overloadOnly && (shedding.get(from.peer.peerId) ?? Number.NEGATIVE_INFINITY) > nowMs)) continue
    const now = migrationGain(shard, from, share, bestTarget, input.rng, model)
    if (now === undefined || now.gain < config.gainThreshold) continue
    program(shard, now.target.peer)
    load.shift(from.peer.peerId, -share * from.serviceMs / 1000)
    load.shift(now.target.peer.peerId, share * now.target.serviceMs / 1000)
    operations.push({ kind: 'migrate', shardId: shard.id, from: from.peer.peerId, to: now.target.peer.peerId, phase: 'programming', sinceMs: nowMs })
    events.push({
      type: 'migrate',
      shardId: shard.id,
      from: from.peer.peerId,
      to: now.target.peer.peerId,
      reason: `${trigger.reason}; expected ${fmt(now.oldMs)} ms → ${fmt(now.target.totalMs)} ms for ${config.confirmChecks} checks`,
      predictedGain: now.gain,
      atMs: nowMs
    })
    checks.reset(key)
    decided(shard, migrationKey(shard))
    slots--
    if (trigger.overloadOnly) shedding.set(from.peer.peerId, nowMs + config.overloadSettleMs)
  }

  // 8. Replications of hot shards.
  interface ReplicationCandidate { shard: Shard, utilisation: number, key: string }
  const replications: ReplicationCandidate[] = []
  for (const shard of movable) {
    if (busy.has(shard.id)) continue
    const key = counterKey('replicate', shard.id)
    const rate = rates.get(shard.id) ?? 0
    const holders = holdersOf(shard)
    if (holders.length === 0 || (placement.get(shard.id) ?? []).length >= config.maxReplicas) {
      checks.check(key, false)
      continue
    }
    const before = pool(holders, rate, load)
    const u = poolUtilisation(rate, before)
    const gain = u >= config.replicateUtilisation ? replicationGain(shard, holders, rate, load, bestTarget, input.rng) : undefined
    const count = checks.check(key, gain !== undefined && gain.gain >= config.gainThreshold)
    if (count >= config.confirmChecks) replications.push({ shard, utilisation: u, key })
  }
  replications.sort((a, b) => b.utilisation - a.utilisation || compareIds(a.shard.id, b.shard.id))
  for (const { shard, utilisation, key } of replications) {
    if (slots <= 0) break
    const holders = holdersOf(shard)
    const rate = rates.get(shard.id) ?? 0
    const now = replicationGain(shard, holders, rate, load, bestTarget, input.rng)
    if (now === undefined || now.gain < config.gainThreshold) continue
    program(shard, now.target.peer)
    const n = holders.length
    for (const h of holders) load.shift(h.peer.peerId, -(rate / n - rate / (n + 1)) * h.serviceMs / 1000)
    load.shift(now.target.peer.peerId, (rate / (n + 1)) * now.target.serviceMs / 1000)
    wanted.set(shard.id, (wanted.get(shard.id) ?? shard.replicas) + 1)
    operations.push({ kind: 'replicate', shardId: shard.id, to: now.target.peer.peerId, phase: 'programming', sinceMs: nowMs })
    events.push({
      type: 'replicate',
      shardId: shard.id,
      to: now.target.peer.peerId,
      reason: `hot: ${fmt(rate)} calls/s at utilisation ${fmt(utilisation)} over ${n} cop${n === 1 ? 'y' : 'ies'} for ${config.confirmChecks} checks`,
      predictedGain: now.gain,
      atMs: nowMs
    })
    checks.reset(key)
    decided(shard, copiesKey(shard))
    slots--
  }

  // 9. Evictions of copies the load no longer needs.
  for (const shard of movable) {
    if (busy.has(shard.id)) continue
    const key = counterKey('evict', shard.id)
    const holders = holdersOf(shard)
    if (holders.length < 2 || activeCopies(shard.id) <= shard.replicas || liveCopies(shard.id) !== activeCopies(shard.id)) {
      checks.check(key, false)
      continue
    }
    const rate = rates.get(shard.id) ?? 0
    const worst = worstHolder(shard, holders, config)
    const rest = holders.filter((h) => h !== worst)
    const without = pool(rest, rate, load)
    const u = poolUtilisation(rate, without)
    const count = checks.check(key, u <= config.evictUtilisation)
    if (count < config.confirmChecks) continue
    const gain = poolResponseMs(rate, pool(holders, rate, load)) / poolResponseMs(rate, without)
    actions.push({ kind: 'drain', shardId: shard.id, peerId: worst.peer.peerId })
    const replica = find(shard.id, worst.peer.peerId) as Work
    replica.state = 'draining'
    const n = holders.length
    load.shift(worst.peer.peerId, -(rate / n) * worst.serviceMs / 1000)
    for (const h of rest) load.shift(h.peer.peerId, (rate / (n - 1) - rate / n) * h.serviceMs / 1000)
    wanted.set(shard.id, Math.max(shard.replicas, (wanted.get(shard.id) ?? n) - 1))
    operations.push({ kind: 'evict', shardId: shard.id, from: worst.peer.peerId, phase: 'draining', sinceMs: nowMs })
    if (replica.inFlight === 0) {
      release(shard.id, replica.peerId, false)
      operations.pop()
    } else {
      drainingSinceMs.set(replicaKey(shard.id, replica.peerId), nowMs)
    }
    events.push({
      type: 'evict',
      shardId: shard.id,
      from: worst.peer.peerId,
      reason: `load fell: ${fmt(rate)} calls/s would run at utilisation ${fmt(u)} on ${n - 1} cop${n - 1 === 1 ? 'y' : 'ies'} for ${config.confirmChecks} checks`,
      predictedGain: gain,
      atMs: nowMs
    })
    checks.reset(key)
    decided(shard, copiesKey(shard))
  }

  return {
    state: {
      lastStepMs: nowMs,
      knownPeers,
      counters: checks.counters(),
      cooldownUntilMs: cooldowns,
      sheddingUntilMs: shedding,
      operations,
      copiesWanted: wanted,
      drainingSinceMs,
      lostFrom
    },
    events,
    actions,
    unplaced
  }
}

function noTargetReason (shard: Shard, targets: readonly PeerView[], ledger: TileLedger): string {
  if (targets.length === 0) return 'no peers'
  const room = targets.filter((p) => ledger.fits(p, shard))
  if (room.length === 0) return `no peer has ${shard.tilesNeeded} free ${shard.geometry.rows}×${shard.geometry.cols} tile(s)`
  return `${room.length} peer(s) with room, none feasible (relay limits or no throughput)`
}

function describePeer (peer: PeerView): string {
  return `${peer.device.tilesFree}/${peer.device.tilesTotal} tiles free, ${peer.device.geometry.rows}×${peer.device.geometry.cols}, ${peer.path}`
}
