/**
 * A simulated coordinator: the state of one run as packages/coordinator keeps it (targets, peers marked dead,
 * tiles taken, calls pending per peer, each shard's copies), with its call path re-told as events instead of
 * promises — same order of decisions as packages/coordinator/src/shard-calls.ts, the real pure pieces where they
 * exist: the policy's `route`, `buildPeerView`, `PeerHealth` (time-outs and back-off), `RecentBusy` (its own
 * device time per peer), short- and long-term memory.
 *
 * One call: wait for one of the peer's call slots (6; 4 on a relayed path) → one-way delay and the request's
 * stack cost → the peer: a copy it does not hold answers UNKNOWN_SHARD; otherwise the execute queues in its
 * worker → the reply's stack cost and the delay back → recorded and observed into both memories. A call on a peer
 * that left fails when its stream resets; the peer is then found gone (a re-dial refused) and loses every copy.
 * A call that outlives its time-out makes its peer suspect (backed off), as on a real coordinator.
 */
import { backoffMs, buildPeerView, callSlotsFor, groupCalls, PeerHealth, removeCopy, RecentBusy, MAX_CALL_TIMEOUT_MS, MAX_NO_PEER_RETRY_MS, NO_PEER_RETRY_MS } from '@tessera/coordinator'
import type { PeerTarget, ShardState } from '@tessera/coordinator'
import type { LongTermMemory, ShortTermMemory } from '@tessera/memory'
import type { Rng } from '@tessera/crossbar'
import type { PeerView, PlacementPolicy, PlannedBlockLike } from '@tessera/scheduler'
import type { InvariantChecker } from './invariants.js'
import { callKey } from './shard-cost.js'
import type { CallReadFactors } from './shard-cost.js'
import { drawCallOverheadMs, oneWayMs, transferMs } from './network-model.js'
import type { ModelledPeer } from './peer-model.js'
import type { DesRecorder } from './recorder.js'
import type { DesWorld } from './world.js'

/** A shard of the simulated run: the coordinator's `ShardState` (so its pure helpers take it; `weights` is empty, no values are computed). */
export interface DesShard extends Omit<ShardState, 'replacing'> {
  /** Calls answered (end times, oldest first), for the loop's per-shard call rate. */
  answeredAtMs: number[]
  /** Callers waiting for a baseline's re-placement of this shard. */
  replacementWaiters?: Array<(ok: boolean, why: string) => void>
}

/** One call of a layer: a shard and the key of its call group. */
export interface LayerCall {
  shard: DesShard
  key: string
}

/** Settings of a simulated coordinator (the real coordinator's defaults unless a test shortens them). */
export interface DesCoordinatorSettings {
  runId: string
  callsPerPeer: number
  callTimeoutMs: number
  batchDeadlineMs: number
  /** Views this old are good enough for routing, ms (packages/coordinator/src/shard-calls.ts). */
  routeViewMaxAgeMs: number
}

/** A call in flight, so a departure or a time-out can end it. */
interface CallInFlight {
  peerId: string
  shard: DesShard
  startMs: number
  timeoutAtMs: number
  settled: boolean
  fail: (why: 'departed' | 'timeout') => void
}

/** Why a call attempt failed. */
export type CallFailure = 'departed' | 'timeout' | 'unknown-shard'

/** The coordinator side of one simulated run. */
export class DesCoordinator {
  readonly world: DesWorld
  readonly policy: PlacementPolicy
  readonly rng: Rng
  /** Draws each call's stack cost (its own stream, so the other draws do not shift with it). */
  private readonly stackRng: Rng
  readonly settings: DesCoordinatorSettings
  readonly recorder: DesRecorder
  readonly shortTerm: ShortTermMemory
  readonly longTerm: LongTermMemory
  readonly health: PeerHealth
  readonly recentBusy: RecentBusy
  readonly invariants: InvariantChecker
  readonly targets = new Map<string, PeerTarget>()
  readonly dead = new Set<string>()
  readonly tilesTaken = new Map<string, number>()
  readonly pending = new Map<string, number>()
  readonly shards = new Map<string, DesShard>()
  /** Answers that were wrong (a liar's), accepted: no verification is modelled here. */
  wrongAnswers = 0
  /** Successful calls per peer (what a `busiest` selector ranks by). */
  readonly served = new Map<string, number>()
  /** Set by the reconfiguration loop: restores a shard with no live copy. */
  restore?: (shard: DesShard, deadlineMs: number, done: (ok: boolean, why: string) => void) => void
  /** Read factor per call group and preset (see shard-cost.ts); a call group without one costs one read per vector. */
  readFactors?: CallReadFactors
  /** Where a baseline re-places a lost copy of a shard, when a real run's choices are replayed (else the policy). */
  replacementTarget?: (shardId: string) => string | undefined
  /** Looks for peers again (discovery); set by the engine. */
  refreshPeers: () => void = () => {}
  private readonly freeSlots = new Map<string, number>()
  private readonly waitingSlots = new Map<string, Array<() => void>>()
  private readonly inFlightByPeer = new Map<string, Set<CallInFlight>>()
  private viewCache?: { atMs: number, views: PeerView[] }
  /** The last stack cost drawn for a call to each peer, and when (calls sent together share it). */
  private readonly lastStackCost = new Map<string, { atMs: number, costMs: number }>()
  /** Copy keys by shard id (one string per shard, not one per call). */
  private readonly copyKeys = new Map<string, string>()
  private readonly pairDelayMs: (peerId: string) => number = (peerId) => this.peer(peerId)?.spec.delayMs ?? 0

  constructor (init: {
    world: DesWorld
    policy: PlacementPolicy
    settings: DesCoordinatorSettings
    recorder: DesRecorder
    shortTerm: ShortTermMemory
    longTerm: LongTermMemory
    invariants: InvariantChecker
    recentBusyHorizonMs: number
    /** One-way delay to a peer before any relay hop, ms (default: the peer's `delayMs`, one coordinator per network). */
    pairDelayMs?: (peerId: string) => number
    /** Placement randomness (default: a stream of the world's seed). */
    rng?: Rng
  }) {
    if (init.pairDelayMs !== undefined) this.pairDelayMs = init.pairDelayMs
    this.world = init.world
    this.policy = init.policy
    this.settings = init.settings
    this.recorder = init.recorder
    this.shortTerm = init.shortTerm
    this.longTerm = init.longTerm
    this.invariants = init.invariants
    this.rng = init.rng ?? init.world.rng(`${init.settings.runId}/placement`)
    this.stackRng = init.world.rng(`${init.settings.runId}/stack`)
    this.health = new PeerHealth({ baseTimeoutMs: init.settings.callTimeoutMs, maxTimeoutMs: Math.max(init.settings.callTimeoutMs, MAX_CALL_TIMEOUT_MS) })
    this.recentBusy = new RecentBusy(init.recentBusyHorizonMs)
    init.world.onLeave((peerId) => { this.peerLeft(peerId) })
  }

  now (): number {
    return this.world.nowMs
  }

  peer (peerId: string): ModelledPeer | undefined {
    return this.world.peers.get(peerId)
  }

  /** One-way delay to a peer as the coordinator applies it (emulated delay plus half a relay hop), ms. */
  delayMs (peerId: string): number {
    const p = this.peer(peerId)
    return p === undefined ? 0 : oneWayMs(this.world.network, this.pairDelayMs(peerId), p.spec.path)
  }

  /**
   * Views of the live targets (cached `maxAgeMs`), built by the coordinator's own `buildPeerView`; with `include`,
   * only of the targets it accepts (uncached).
   */
  views (maxAgeMs = 0, include?: (target: PeerTarget) => boolean): PeerView[] {
    const nowMs = this.now()
    if (include === undefined && this.viewCache !== undefined && nowMs - this.viewCache.atMs <= maxAgeMs) return this.viewCache.views
    const views: PeerView[] = []
    for (const target of this.targets.values()) {
      if (this.dead.has(target.peerId) || (include !== undefined && !include(target))) continue
      views.push(buildPeerView({ target, tilesTaken: this.tilesTaken.get(target.peerId) ?? 0, emulatedDelayMs: this.pairDelayMs(target.peerId), callSlots: callSlotsFor(target.path, this.settings.callsPerPeer), shortTerm: this.shortTerm, longTerm: this.longTerm, nowMs }))
    }
    if (include === undefined) this.viewCache = { atMs: nowMs, views }
    return views
  }

  invalidateViews (): void {
    this.viewCache = undefined
  }

  /** The shard id a peer holds this run's copy under. */
  copyKey (shardId: string): string {
    let key = this.copyKeys.get(shardId)
    if (key === undefined) {
      key = `${this.settings.runId}/${shardId}`
      this.copyKeys.set(shardId, key)
    }
    return key
  }

  /** Records that `peerId` no longer holds `shard` (as `RunContext.dropAllocation`). */
  dropAllocation (shard: DesShard, peerId: string): void {
    const tiles = shard.tilesByHolder.get(peerId)
    if (tiles === undefined) return
    shard.tilesByHolder.delete(peerId)
    this.tilesTaken.set(peerId, Math.max(0, (this.tilesTaken.get(peerId) ?? 0) - tiles))
    const g = this.peer(peerId)?.spec.geometry ?? 0
    this.recorder.allocate(peerId, -shard.spec.cells, -(tiles * g * g), this.now())
  }

  /** A peer found gone: it loses every copy (as `RunContext.markDead`). */
  markDead (peerId: string): void {
    if (this.dead.has(peerId)) return
    this.dead.add(peerId)
    for (const shard of this.shards.values()) {
      removeCopy(shard, peerId)
      this.dropAllocation(shard, peerId)
    }
    this.invalidateViews()
  }

  /**
   * After a failed call: a peer still there is only slow (backed off by the caller); one that left is found gone
   * once its re-dial is refused. Calls back with whether the peer is still usable.
   */
  recoverOrMarkDead (peerId: string, done: (usable: boolean) => void): void {
    if (this.dead.has(peerId)) {
      done(false)
      return
    }
    if (this.peer(peerId)?.alive === true) {
      done(true)
      return
    }
    this.world.queue.after(this.world.network.departureDetectMs, () => {
      this.markDead(peerId)
      done(false)
    })
  }

  private peerLeft (peerId: string): void {
    const calls = this.inFlightByPeer.get(peerId)
    if (calls === undefined) return
    // Its streams reset: every call in flight on it fails once the reset reaches the coordinator.
    const delay = this.delayMs(peerId)
    for (const call of [...calls]) this.world.queue.after(delay, () => { call.fail('departed') })
  }

  /** Fails calls past their time-out (a sweep, instead of one timer per call). */
  sweepTimeouts (): void {
    const nowMs = this.now()
    for (const calls of this.inFlightByPeer.values()) {
      for (const call of [...calls]) if (call.timeoutAtMs <= nowMs) call.fail('timeout')
    }
  }

  private acquire (peerId: string, go: () => void): void {
    let free = this.freeSlots.get(peerId)
    if (free === undefined) {
      free = callSlotsFor(this.peer(peerId)?.spec.path, this.settings.callsPerPeer)
    }
    if (free > 0) {
      this.freeSlots.set(peerId, free - 1)
      go()
      return
    }
    this.freeSlots.set(peerId, free)
    const list = this.waitingSlots.get(peerId) ?? []
    list.push(go)
    this.waitingSlots.set(peerId, list)
  }

  private releaseSlot (peerId: string): void {
    const next = this.waitingSlots.get(peerId)?.shift()
    if (next !== undefined) next()
    else this.freeSlots.set(peerId, (this.freeSlots.get(peerId) ?? 0) + 1)
  }

  /**
   * One batch of `n` requests through one shard, retried on copies and re-placed copies until it is answered
   * (`done(true)`) or the deadline passes (`done(false, why)`).
   */
  callShard (shard: DesShard, n: number, deadlineMs: number, done: (ok: boolean, why?: string) => void, groupKey = callKey(shard.spec.id, 0)): void {
    let waits = 0
    let lastError = 'none'
    const attempt = (): void => {
      const nowMs = this.now()
      const left = deadlineMs - nowMs
      if (left <= 0) {
        done(false, `shard ${shard.spec.id}: no peer served the call within the batch deadline; last error: ${lastError}`)
        return
      }
      let live = shard.holders.filter((p) => !this.dead.has(p))
      if (live.length === 0) live = shard.draining.filter((p) => !this.dead.has(p))
      if (live.length === 0) {
        const restored = (ok: boolean, why: string): void => {
          if (ok) {
            waits = 0
            attempt()
            return
          }
          lastError = why
          this.world.queue.after(Math.min(backoffMs(NO_PEER_RETRY_MS, MAX_NO_PEER_RETRY_MS, waits++), left), () => {
            this.refreshPeers()
            attempt()
          })
        }
        if (this.restore !== undefined) this.restore(shard, deadlineMs, restored)
        else this.replaceShard(shard, restored)
        return
      }
      const ready = live.filter((p) => this.health.suspectUntil(p) <= nowMs)
      if (ready.length === 0) {
        this.world.queue.after(Math.min(Math.min(...live.map((p) => this.health.suspectUntil(p))) - nowMs, left), attempt)
        return
      }
      const peerId = ready.length === 1
        ? ready[0]
        : this.policy.route({ shard: shard.spec, replicas: ready, peers: this.views(this.settings.routeViewMaxAgeMs), nowMs, rng: this.rng, pending: this.pending }) ?? ready[0]
      this.callOn(shard, peerId, n, groupKey, Math.min(this.health.timeoutMs(peerId), left), (failure) => {
        if (failure === undefined) {
          done(true)
          return
        }
        lastError = failure
        if (failure === 'unknown-shard') {
          removeCopy(shard, peerId)
          this.dropAllocation(shard, peerId)
          attempt()
          return
        }
        this.recoverOrMarkDead(peerId, (usable) => {
          if (usable) this.health.failed(peerId, this.now())
          attempt()
        })
      })
    }
    attempt()
  }

  private callOn (shard: DesShard, peerId: string, n: number, groupKey: string, timeoutMs: number, done: (failure?: CallFailure) => void): void {
    const queuedAt = this.now()
    this.pending.set(peerId, (this.pending.get(peerId) ?? 0) + 1)
    shard.inFlight.set(peerId, (shard.inFlight.get(peerId) ?? 0) + 1)
    this.acquire(peerId, () => {
      const startMs = this.now()
      const peer = this.peer(peerId) as ModelledPeer
      const net = this.world.network
      const delay = this.delayMs(peerId)
      const bytes = (shard.spec.requestBytes ?? 0) * (n / Math.max(1, this.batchOf(shard)))
      const call: CallInFlight = { peerId, shard, startMs, timeoutAtMs: startMs + timeoutMs, settled: false, fail: () => {} }
      const calls = this.inFlightByPeer.get(peerId) ?? new Set<CallInFlight>()
      this.inFlightByPeer.set(peerId, calls)
      calls.add(call)
      const settle = (failure: CallFailure | undefined, deviceMs: number, macs: number): void => {
        if (call.settled) return
        call.settled = true
        calls.delete(call)
        const endMs = this.now()
        this.pending.set(peerId, (this.pending.get(peerId) ?? 1) - 1)
        shard.inFlight.set(peerId, (shard.inFlight.get(peerId) ?? 1) - 1)
        this.releaseSlot(peerId)
        this.observe(shard, peerId, { startMs, endMs, queuedMs: startMs - queuedAt, failure, deviceMs, macs })
        done(failure)
      }
      call.fail = (why) => { settle(why, 0, 0) }
      const generation = peer.generation
      // The stack's cost of this call: drawn from the measured distribution when there is one, else the constants.
      const drawn = net.callOverheadQuantilesMs === undefined ? undefined : this.stackCostMs(peerId, net.callOverheadQuantilesMs)
      const requestOverheadMs = drawn === undefined ? net.requestOverheadMs : drawn / 2
      const replyOverheadMs = drawn === undefined ? net.replyOverheadMs : drawn / 2
      const way = delay + transferMs(net, bytes / 2, peer.spec.path)
      this.carry(way, requestOverheadMs, () => {
        if (call.settled) return
        if (!peer.alive || peer.generation !== generation) {
          settle('departed', 0, 0)
          return
        }
        const reply = (then: () => void): void => { this.carry(way, replyOverheadMs, then, true) }
        if (!peer.copies.has(this.copyKey(shard.spec.id))) {
          reply(() => { settle('unknown-shard', 0, 0) })
          return
        }
        peer.streams++
        const reads = this.readFactors?.get(groupKey)?.get(peer.spec.preset) ?? 1
        const macs = (shard.spec.macsPerRequest ?? shard.spec.cells) * (n / Math.max(1, this.batchOf(shard))) * reads
        peer.submit(macs, n * reads, (serviceMs, wrong) => {
          peer.streams--
          if (wrong) this.wrongAnswers++
          reply(() => { settle(undefined, serviceMs, macs) })
        })
      })
    })
  }

  /**
   * The stack cost of a call to `peerId` sent now, drawn from the measured distribution. Calls sent to one peer at
   * the same moment (the calls of one layer) go through the same stack at the same time: they share one draw, so
   * they arrive in the order they were sent (the peer's worker serves them in that order, as the real one does),
   * and a slow stack holds them up together.
   */
  private stackCostMs (peerId: string, quantiles: readonly number[]): number {
    const nowMs = this.now()
    const last = this.lastStackCost.get(peerId)
    if (last !== undefined && last.atMs === nowMs) return last.costMs
    const costMs = drawCallOverheadMs(quantiles, this.stackRng.nextFloat())
    this.lastStackCost.set(peerId, { atMs: nowMs, costMs })
    return costMs
  }

  /**
   * Carries one message to or from a peer: `wayMs` on the path and `stackMs` of stack work (before the path on a
   * reply, after it on a request), then `action`, which waits for whatever work holds the event loop up when it
   * arrives; on a shared event loop the stack work itself queues on the loop.
   */
  private carry (wayMs: number, stackMs: number, action: () => void, stackFirst = false): void {
    const q = this.world.queue
    if (this.world.network.sharedEventLoop === true) {
      // The reply's continuation (after the emulated delay's timer) is a task of the loop too.
      if (stackFirst) this.world.stackWork(stackMs, () => { q.after(wayMs, () => { this.world.onLoop(action) }) })
      else q.after(wayMs, () => { this.world.stackWork(stackMs, action) })
      return
    }
    if (this.world.loopCanStall) q.after(wayMs + stackMs, () => { this.world.onLoop(action) })
    else q.after(wayMs + stackMs, action)
  }

  /** Requests per full call of the shard (its `macsPerRequest` is for a full batch). */
  batchOf (shard: DesShard): number {
    const extent = shard.spec.geometry.rows * shard.spec.geometry.cols
    return Math.max(1, Math.round((shard.spec.macsPerRequest ?? extent) / extent))
  }

  private observe (shard: DesShard, peerId: string, c: { startMs: number, endMs: number, queuedMs: number, failure: CallFailure | undefined, deviceMs: number, macs: number }): void {
    const ok = c.failure === undefined
    this.recorder.call({ peerId, shardId: shard.spec.id, startMs: c.startMs, endMs: c.endMs, queuedMs: c.queuedMs, ok, deviceTimeNs: c.deviceMs * 1e6, macs: c.macs, ...(ok ? {} : { error: c.failure }) })
    if (!ok) {
      this.shortTerm.observe(peerId, { ok: false }, c.endMs)
      this.longTerm.observe(peerId, { ok: false }, c.endMs)
      return
    }
    shard.answeredAtMs.push(c.endMs)
    this.served.set(peerId, (this.served.get(peerId) ?? 0) + 1)
    const latencyMs = c.endMs - c.startMs
    this.health.succeeded(peerId, latencyMs)
    this.recentBusy.record(peerId, c.endMs, c.deviceMs, c.macs)
    const throughput = c.deviceMs > 0 ? c.macs / (c.deviceMs / 1000) : undefined
    const available = throughput === undefined ? undefined : throughput * (1 - this.recentBusy.others(peerId))
    this.shortTerm.observe(peerId, { latencyMs, serviceMs: c.deviceMs, ok: true, ...(available !== undefined && available > 0 ? { throughput: available } : {}) }, c.endMs)
    this.longTerm.observe(peerId, { ok: true, latencyMs, ...(throughput !== undefined ? { throughput } : {}) }, c.endMs)
  }

  /**
   * Uploads one copy (as `programCopy`): the delay, the weights over the path, the program step queued in the
   * peer's worker behind its executes, the reply. Refused (`capacity`) when the peer has no room; `departed` when
   * it is gone.
   */
  programCopy (shard: DesShard, peerId: string, done: (failure?: 'capacity' | 'departed') => void): void {
    const peer = this.peer(peerId)
    if (peer === undefined) {
      done('departed')
      return
    }
    const net = this.world.network
    const delay = this.delayMs(peerId)
    const generation = peer.generation
    const key = this.copyKey(shard.spec.id)
    const tiles = Math.ceil(shard.rows / peer.spec.geometry) * Math.ceil(shard.cols / peer.spec.geometry)
    this.world.queue.after(delay + net.requestOverheadMs, () => {
      if (!peer.alive || peer.generation !== generation) {
        this.world.queue.after(delay, () => { done('departed') })
        return
      }
      if (!this.invariants.reserve(peer, key, tiles)) {
        this.world.queue.after(delay + net.replyOverheadMs, () => { done('capacity') })
        return
      }
      this.world.queue.after(transferMs(net, shard.spec.bytes, peer.spec.path), () => {
        if (!peer.alive || peer.generation !== generation) {
          this.world.queue.after(delay, () => { done('departed') })
          return
        }
        peer.submitFixed(net.programMsByPreset?.[peer.spec.preset] ?? 0, () => {
          this.world.queue.after(delay + net.replyOverheadMs, () => {
            if (!peer.alive || peer.generation !== generation) {
              done('departed')
              return
            }
            shard.tilesByHolder.set(peerId, tiles)
            this.tilesTaken.set(peerId, (this.tilesTaken.get(peerId) ?? 0) + tiles)
            this.recorder.allocate(peerId, shard.spec.cells, tiles * peer.spec.geometry * peer.spec.geometry, this.now())
            this.invalidateViews()
            done()
          })
        })
      })
    })
  }

  /** Frees a copy's tiles on its peer (a release message), then drops the allocation. */
  releaseCopy (shard: DesShard, peerId: string, done: () => void = () => {}): void {
    const peer = this.peer(peerId)
    const delay = this.delayMs(peerId)
    this.world.queue.after(delay + this.world.network.requestOverheadMs, () => {
      peer?.release(this.copyKey(shard.spec.id))
      this.world.queue.after(delay + this.world.network.replyOverheadMs, () => {
        this.dropAllocation(shard, peerId)
        done()
      })
    })
  }

  /**
   * A baseline's re-placement of a shard that lost every copy (as `replaceShard`): the policy places one copy on
   * the live peers, refusals are skipped, concurrent callers share one re-placement.
   */
  replaceShard (shard: DesShard, done: (ok: boolean, why: string) => void): void {
    if (shard.replacementWaiters !== undefined) {
      shard.replacementWaiters.push(done)
      return
    }
    const waiting = [done]
    shard.replacementWaiters = waiting
    const finish = (ok: boolean, why: string): void => {
      shard.replacementWaiters = undefined
      for (const w of waiting) w(ok, why)
    }
    const tried = new Set<string>()
    const next = (): void => {
      const replayed = this.replacementTarget?.(shard.spec.id)
      const live = replayed !== undefined && !tried.has(replayed) && this.peer(replayed)?.alive === true && !this.dead.has(replayed)
      const peers = this.views().filter((v) => !tried.has(v.peerId))
      const placement = live ? undefined : this.policy.place({ shards: [{ ...shard.spec, replicas: 1 }], peers, nowMs: this.now(), rng: this.rng })
      const peerId = live ? replayed : placement?.assignments.get(shard.spec.id)?.[0]
      if (peerId === undefined) {
        finish(false, `no live peer can take shard ${shard.spec.id}: ${placement?.reasons.get(shard.spec.id) ?? 'no candidates'}`)
        return
      }
      this.programCopy(shard, peerId, (failure) => {
        if (failure === undefined) {
          shard.holders.push(peerId)
          this.recorder.replacements++
          finish(true, '')
          return
        }
        tried.add(peerId)
        if (failure === 'departed') {
          this.recoverOrMarkDead(peerId, () => { next() })
          return
        }
        next()
      })
    }
    next()
  }

  /** The calls of every layer in plan order (as the pipeline's `layerCalls`), each with its call group's key. */
  layerCalls (layerIds: readonly string[]): Map<string, LayerCall[]> {
    const calls = new Map<string, Array<LayerCall & { blocks: PlannedBlockLike[] }>>(layerIds.map((id) => [id, []]))
    for (const shard of this.shards.values()) {
      groupCalls(shard.blocks).forEach((blocks, g) => { calls.get(blocks[0].matrixId)?.push({ shard, key: callKey(shard.spec.id, g), blocks }) })
    }
    const out = new Map<string, LayerCall[]>()
    for (const [id, list] of calls) {
      list.sort((a, b) => a.blocks[0].matrixRow - b.blocks[0].matrixRow || a.blocks[0].matrixCol - b.blocks[0].matrixCol)
      out.set(id, list.map((c) => ({ shard: c.shard, key: c.key })))
    }
    return out
  }
}
