/**
 * The coordinator's run context: the shared state of one run over its peers on the network (see run-context.ts
 * for what each member means).
 */
import { logger } from '@libp2p/logger'
import type { PeerView } from '@tessera/scheduler'
import { MAX_CALL_TIMEOUT_MS } from './constants.js'
import type { DiscoveryRound } from './discovery.js'
import { PeerHealth } from './health.js'
import { peerCameBack, peerStillThere } from './liveness.js'
import type { PeerNetwork } from './peer-network.js'
import type { PeerShards } from './peer-shards.js'
import { buildPeerView } from './peers.js'
import type { PeerTarget } from './peers.js'
import { RunInputs } from './run-context.js'
import type { CopyRestorer, RunContext } from './run-context.js'
import { runErrorOf } from './run-errors.js'
import type { RunError } from './run-errors.js'
import { removeCopy } from './shard-state.js'
import type { ShardState } from './shard-state.js'
import { callSlotsFor, Slots } from './slots.js'
import type { RunVerification } from './verify.js'

const log = logger('tessera:coordinator:run')

/** Options of {@link LiveRunContext}: the members a run takes as they are, and how it reaches the network. */
export interface LiveRunContextInit extends RunInputs {
  /** The coordinator's connections, for the departure check and re-dials. */
  network: PeerNetwork
  /** Opens the shard service of a peer (once per peer and run). */
  connectShards: (peerId: string) => PeerShards
  /** A discovery round for peers not known yet, when a shard has nowhere to go; throws when the lookup fails. */
  discover?: () => Promise<DiscoveryRound>
}

/** Shared state of a run over the network. */
export class LiveRunContext extends RunInputs implements RunContext {
  readonly health: PeerHealth
  readonly dead = new Set<string>()
  readonly pending = new Map<string, number>()
  readonly shards = new Map<string, ShardState>()
  readonly abandoned: Array<{ peerId: string, remoteId: string }> = []
  readonly errors: RunError[] = []
  reconfiguration?: CopyRestorer
  verification?: RunVerification
  private readonly network: PeerNetwork
  private readonly connectShards: (peerId: string) => PeerShards
  private readonly discover?: () => Promise<DiscoveryRound>
  /** Keys of the errors reported once per run (a peer that stays unreachable, a lookup that keeps failing alike). */
  private readonly reported = new Set<string>()
  private readonly slots = new Map<string, Slots>()
  private readonly clients = new Map<string, PeerShards>()
  private readonly checking = new Map<string, Promise<boolean>>()
  private refreshing?: Promise<void>
  private viewCache?: { atMs: number, views: PeerView[] }

  constructor (init: LiveRunContextInit) {
    super(init)
    this.network = init.network
    this.connectShards = init.connectShards
    if (init.discover !== undefined) this.discover = init.discover
    this.health = new PeerHealth({ baseTimeoutMs: this.settings.callTimeoutMs, maxTimeoutMs: Math.max(this.settings.callTimeoutMs, MAX_CALL_TIMEOUT_MS) })
  }

  remoteId (shardId: string): string {
    return `${this.settings.runId}/${shardId}`
  }

  client (peerId: string): PeerShards {
    let c = this.clients.get(peerId)
    if (c === undefined) {
      c = this.connectShards(peerId)
      this.clients.set(peerId, c)
    }
    return c
  }

  slotsOf (peerId: string): Slots {
    let s = this.slots.get(peerId)
    if (s === undefined) {
      s = new Slots(callSlotsFor(this.targets.get(peerId)?.path, this.settings.callsPerPeer))
      this.slots.set(peerId, s)
    }
    return s
  }

  views (maxAgeMs = 0): PeerView[] {
    const nowMs = this.now()
    if (this.viewCache !== undefined && nowMs - this.viewCache.atMs <= maxAgeMs) return this.viewCache.views
    const views: PeerView[] = []
    for (const target of this.targets.values()) {
      if (this.dead.has(target.peerId)) continue
      views.push(buildPeerView({
        target,
        tilesTaken: this.tilesTaken.get(target.peerId) ?? 0,
        tileCap: this.tileCaps.get(target.peerId),
        emulatedDelayMs: this.emulatedDelayMs(target.peerId),
        callSlots: callSlotsFor(target.path, this.settings.callsPerPeer),
        shortTerm: this.shortTerm,
        longTerm: this.longTerm,
        nowMs
      }))
    }
    this.viewCache = { atMs: nowMs, views }
    return views
  }

  invalidateViews (): void {
    this.viewCache = undefined
  }

  /** Whether a peer found earlier is still connected (one that is not may have left before the run). */
  isConnected (peerId: string): boolean {
    return this.network.isConnected(peerId)
  }

  async recoverOrMarkDead (peerId: string): Promise<boolean> {
    if (this.dead.has(peerId)) return false
    let check = this.checking.get(peerId)
    if (check === undefined) {
      check = (async () => {
        const target = this.targets.get(peerId)
        const there = target !== undefined && await peerStillThere(this.network, peerId, target.record.addresses)
        if (!there) this.markDead(peerId)
        return there
      })()
      this.checking.set(peerId, check)
      void check.finally(() => { this.checking.delete(peerId) })
    }
    return await check
  }

  async refreshPeers (): Promise<void> {
    if (this.refreshing !== undefined) {
      await this.refreshing
      return
    }
    this.refreshing = (async () => {
      await Promise.all([...this.dead].map(async (peerId) => {
        // A peer flagged by verification stays out of the run, reachable or not.
        if (this.verification?.isFlagged(peerId) === true) return
        const target = this.targets.get(peerId)
        if (target !== undefined && await peerCameBack(this.network, peerId, target.record.addresses)) this.dead.delete(peerId)
      }))
      for (const target of await this.discoverNew()) {
        if (!this.targets.has(target.peerId)) this.targets.set(target.peerId, target)
      }
      this.invalidateViews()
    })()
    try {
      await this.refreshing
    } finally {
      this.refreshing = undefined
    }
  }

  /**
   * Peers a discovery round adds. A failed round, and a peer found that does not answer a dial, are logged and
   * reported with the run (once each: rounds repeat every few seconds).
   */
  private async discoverNew (): Promise<PeerTarget[]> {
    if (this.discover === undefined) return []
    try {
      const round = await this.discover()
      for (const peerId of round.leaving) if (this.targets.has(peerId)) this.peerLeaving(peerId)
      for (const { peerId, error } of round.unreachable) this.reportOnce(`unreachable/${peerId}`, runErrorOf('discovery', error, { peerId }))
      return round.added
    } catch (err) {
      log.error('a discovery round of run %s failed: %e', this.settings.runId, err)
      const error = runErrorOf('discovery', err)
      this.reportOnce(`round/${error.code}/${error.message}`, error)
      return []
    }
  }

  private reportOnce (key: string, error: RunError): void {
    if (this.reported.has(key)) return
    this.reported.add(key)
    this.errors.push(error)
  }

  /** A peer that said it is leaving: gone for this run like a dead one, but not counted as a failure. */
  peerLeaving (peerId: string): void {
    this.markDead(peerId, 'leaving')
  }

  /** Marks a peer as gone for this run: it loses every shard copy it held. */
  markDead (peerId: string, reason: 'failed' | 'leaving' = 'failed'): void {
    if (this.dead.has(peerId)) return
    this.dead.add(peerId)
    if (reason === 'failed') this.recorder.peerFailures++
    const nowMs = this.now()
    for (const shard of this.shards.values()) {
      removeCopy(shard, peerId)
      if (shard.tilesByHolder.has(peerId)) this.abandoned.push({ peerId, remoteId: this.remoteId(shard.spec.id) })
      this.dropAllocation(shard, peerId, nowMs)
    }
    this.invalidateViews()
  }

  dropAllocation (shard: ShardState, peerId: string, nowMs: number): void {
    const tiles = shard.tilesByHolder.get(peerId)
    if (tiles === undefined) return
    shard.tilesByHolder.delete(peerId)
    this.tilesTaken.set(peerId, Math.max(0, (this.tilesTaken.get(peerId) ?? 0) - tiles))
    const g = this.targets.get(peerId)?.record.device.geometry
    this.recorder.allocate(peerId, -shard.spec.cells, -(tiles * (g?.rows ?? 0) * (g?.cols ?? 0)), nowMs)
  }
}
