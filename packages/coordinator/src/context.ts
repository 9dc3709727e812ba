/**
 * What one run of a job shares between placement, programming, the request pipeline and recovery.
 */
import type { UploadProgressFactory } from './progress.js'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Rng } from '@tessera/crossbar'
import type { LongTermMemory, ShortTermMemory } from '@tessera/memory'
import type { PeerView, PlacementPolicy, PlannedBlockLike, ShardSpec } from '@tessera/scheduler'
import type { TesseraLibp2p } from '@tessera/peer'
import { ShardClient } from '@tessera/peer'
import { ABANDONED_RELEASE_TIMEOUT_MS, DEPARTURE_PING_TIMEOUT_MS, MAX_CALL_TIMEOUT_MS, REDIAL_TIMEOUT_MS, RELAYED_CALLS_PER_PEER } from './constants.js'
import { PeerHealth } from './health.js'
import { multiaddr } from '@multiformats/multiaddr'
import type { RunRecorder } from './metrics.js'
import type { PeerTarget } from './peers.js'
import { buildPeerView } from './peers.js'

/** A shard of the running job. */
export interface ShardState {
  spec: ShardSpec
  blocks: PlannedBlockLike[]
  rows: number
  cols: number
  /** The coordinator's copy of the weights (extent, zeros where no block lies). */
  weights: Float32Array
  /** Peers holding a live copy that takes calls (`active`), primary first. */
  holders: string[]
  /** Copies being uploaded by the reconfiguration loop (no calls yet). */
  programming: string[]
  /** Copies that take no new calls and finish those in flight before they are released (make-before-break). */
  draining: string[]
  /** Calls outstanding per copy. */
  inFlight: Map<string, number>
  /** Tiles each copy (active or draining) used for it. */
  tilesByHolder: Map<string, number>
  /** Set while the shard is being re-placed, so concurrent failures wait for one re-placement. */
  replacing?: Promise<void>
}

/** Takes `peerId` off every list of the shard's copies (active, programming, draining). */
export function removeCopy (shard: ShardState, peerId: string): void {
  for (const list of [shard.holders, shard.programming, shard.draining]) {
    const i = list.indexOf(peerId)
    if (i >= 0) list.splice(i, 1)
  }
}

/** A new shard state with no copies. */
export function newShardState (init: Pick<ShardState, 'spec' | 'blocks' | 'rows' | 'cols' | 'weights'>): ShardState {
  return { ...init, holders: [], programming: [], draining: [], inFlight: new Map(), tilesByHolder: new Map() }
}

/** A counting semaphore (per-peer call slots). */
export class Slots {
  private free: number
  private readonly waiting: Array<() => void> = []
  constructor (size: number) {
    this.free = size
  }

  async acquire (): Promise<void> {
    if (this.free > 0) {
      this.free--
      return
    }
    await new Promise<void>((resolve) => { this.waiting.push(resolve) })
  }

  release (): void {
    const next = this.waiting.shift()
    if (next !== undefined) next()
    else this.free++
  }
}

/**
 * Device time and work of this coordinator's recent calls per peer: tells its own load from others' in the
 * gossip, and measures the device speed a peer shows now (a host that slowed down shows it here first).
 */
export class RecentBusy {
  private readonly byPeer = new Map<string, Array<{ endMs: number, busyMs: number, macs: number }>>()
  private readonly othersByPeer = new Map<string, number>()
  private readonly horizonMs: number
  constructor (horizonMs: number) {
    this.horizonMs = horizonMs
  }

  record (peerId: string, endMs: number, busyMs: number, macs = 0): void {
    const list = this.byPeer.get(peerId) ?? []
    list.push({ endMs, busyMs, macs })
    while (list.length > 0 && list[0].endMs < endMs - this.horizonMs) list.shift()
    this.byPeer.set(peerId, list)
  }

  /** Records the share (0 … 1) of the peer's pool that other users' work took in its last gossip window. */
  setOthers (peerId: string, share: number): void {
    this.othersByPeer.set(peerId, share)
  }

  /** The share of the peer's pool other users' work takes (0 until its gossip says otherwise). */
  others (peerId: string): number {
    return this.othersByPeer.get(peerId) ?? 0
  }

  /** Busy ms of calls to `peerId` that ended at or after `fromMs`. */
  since (peerId: string, fromMs: number): number {
    let sum = 0
    for (const c of this.byPeer.get(peerId) ?? []) if (c.endMs >= fromMs) sum += c.busyMs
    return sum
  }

  /** Device speed of the peer's calls that ended at or after `fromMs`, MAC/s (undefined without such calls). */
  macsPerSecond (peerId: string, fromMs: number): number | undefined {
    let macs = 0
    let busyMs = 0
    for (const c of this.byPeer.get(peerId) ?? []) {
      if (c.endMs < fromMs) continue
      macs += c.macs
      busyMs += c.busyMs
    }
    return busyMs > 0 && macs > 0 ? macs / (busyMs / 1000) : undefined
  }
}

/** Resolves after `ms` (immediately for 0). */
export async function sleep (ms: number): Promise<void> {
  if (!(ms > 0)) return
  await new Promise<void>((resolve) => { setTimeout(resolve, ms) })
}

/** Settings of a run. */
export interface RunSettings {
  runId: string
  seed: string
  /** Shortest shard call timeout, ms (the per-peer timeout adapts above it). */
  callTimeoutMs: number
  programTimeoutMs: number
  callsPerPeer: number
  /** How long a batch keeps retrying before its requests count as lost, ms. */
  batchDeadlineMs: number
  uploadConcurrency: number
  uploadProgress: UploadProgressFactory
}

/** Shared state of a run. */
export class RunContext {
  readonly libp2p: TesseraLibp2p
  readonly policy: PlacementPolicy
  readonly rng: Rng
  readonly settings: RunSettings
  readonly recorder: RunRecorder
  readonly shortTerm: ShortTermMemory
  readonly longTerm: LongTermMemory
  readonly now: () => number
  readonly emulatedDelayMs: (peerId: string) => number
  readonly recentBusy: RecentBusy
  /** Round trips, failure streaks and back-off per peer. */
  readonly health: PeerHealth
  /** Finds peers not known yet (from discovery), when a shard has nowhere to go. */
  private readonly discover?: () => Promise<PeerTarget[]>
  /** Live peers, by id. */
  readonly targets: Map<string, PeerTarget>
  readonly dead = new Set<string>()
  /** Tiles this coordinator holds on each peer (all runs of this coordinator share the map). */
  readonly tilesTaken: Map<string, number>
  /** Shard calls outstanding per peer. */
  readonly pending = new Map<string, number>()
  readonly shards = new Map<string, ShardState>()
  /** The run's reconfiguration loop, when it has one (it then restores lost copies; see `reconfigure-loop.ts`). */
  reconfiguration?: { restore: (shard: ShardState, deadlineMs: number) => Promise<void> }
  private readonly slots = new Map<string, Slots>()
  private readonly clients = new Map<string, ShardClient>()
  private viewCache?: { atMs: number, views: PeerView[] }

  constructor (init: {
    libp2p: TesseraLibp2p
    policy: PlacementPolicy
    rng: Rng
    settings: RunSettings
    recorder: RunRecorder
    shortTerm: ShortTermMemory
    longTerm: LongTermMemory
    now: () => number
    emulatedDelayMs: (peerId: string) => number
    recentBusy: RecentBusy
    targets: Map<string, PeerTarget>
    tilesTaken: Map<string, number>
    discover?: () => Promise<PeerTarget[]>
  }) {
    this.libp2p = init.libp2p
    this.policy = init.policy
    this.rng = init.rng
    this.settings = init.settings
    this.recorder = init.recorder
    this.shortTerm = init.shortTerm
    this.longTerm = init.longTerm
    this.now = init.now
    this.emulatedDelayMs = init.emulatedDelayMs
    this.recentBusy = init.recentBusy
    this.targets = init.targets
    this.tilesTaken = init.tilesTaken
    if (init.discover !== undefined) this.discover = init.discover
    this.health = new PeerHealth({ baseTimeoutMs: this.settings.callTimeoutMs, maxTimeoutMs: Math.max(this.settings.callTimeoutMs, MAX_CALL_TIMEOUT_MS) })
  }

  /** The shard id a peer knows this run's shard by. */
  remoteId (shardId: string): string {
    return `${this.settings.runId}/${shardId}`
  }

  client (peerId: string): ShardClient {
    let c = this.clients.get(peerId)
    if (c === undefined) {
      // Executes carry their own adaptive timeout (see `health`); the client's bounds the other exchanges (a
      // release that timed out on a loaded host would leave the shard's tiles taken on the peer).
      c = new ShardClient(this.libp2p, peerIdFromString(peerId), { timeoutMs: Math.max(this.settings.callTimeoutMs, MAX_CALL_TIMEOUT_MS), programTimeoutMs: this.settings.programTimeoutMs })
      this.clients.set(peerId, c)
    }
    return c
  }

  slotsOf (peerId: string): Slots {
    let s = this.slots.get(peerId)
    if (s === undefined) {
      // A relayed connection is dropped by the relay when too many streams open on it at once (measured: 6
      // concurrent shard streams through a js-libp2p relay failed with "Remote closed connection during opening").
      const relayed = this.targets.get(peerId)?.path === 'relayed'
      s = new Slots(relayed ? Math.min(RELAYED_CALLS_PER_PEER, this.settings.callsPerPeer) : this.settings.callsPerPeer)
      this.slots.set(peerId, s)
    }
    return s
  }

  /** Views of the live peers now (cached for `maxAgeMs`, default 0: fresh). */
  views (maxAgeMs = 0): PeerView[] {
    const nowMs = this.now()
    if (this.viewCache !== undefined && nowMs - this.viewCache.atMs <= maxAgeMs) return this.viewCache.views
    const views: PeerView[] = []
    for (const target of this.targets.values()) {
      if (this.dead.has(target.peerId)) continue
      views.push(buildPeerView({
        target,
        tilesTaken: this.tilesTaken.get(target.peerId) ?? 0,
        emulatedDelayMs: this.emulatedDelayMs(target.peerId),
        shortTerm: this.shortTerm,
        longTerm: this.longTerm,
        nowMs
      }))
    }
    this.viewCache = { atMs: nowMs, views }
    return views
  }

  /** Forgets cached views (after tiles were taken or a peer failed). */
  invalidateViews (): void {
    this.viewCache = undefined
  }

  private readonly checking = new Map<string, Promise<boolean>>()

  /**
   * After a failed call or upload: decides whether the peer departed. A peer still connected has not (it is slow
   * or flaky, which the caller handles by backing off); one whose connections are closed is re-dialled on its
   * record's addresses, and only one that does not answer is marked dead. Concurrent callers share one check.
   * Resolves to whether the peer is still usable.
   */
  async recoverOrMarkDead (peerId: string): Promise<boolean> {
    if (this.dead.has(peerId)) return false
    let check = this.checking.get(peerId)
    if (check === undefined) {
      check = (async () => {
        const target = this.targets.get(peerId)
        try {
          if (target === undefined) throw new Error('unknown peer')
          // A connection that still looks open but does not answer a ping may be one the peer just closed by
          // stopping (its streams reset before the connection does): a new connection tells. A peer that accepts
          // one is there, only slow or flaky; one that has left refuses it at once.
          const peer = peerIdFromString(peerId)
          let open = this.libp2p.getConnections(peer).some((c) => c.status === 'open')
          if (open) {
            // Most failed calls on an open connection come from a busy peer: a ping over it says so without a new
            // connection (extra connections get pruned by libp2p, resetting the streams on them).
            try {
              await this.libp2p.services.ping.ping(peer, { signal: AbortSignal.timeout(DEPARTURE_PING_TIMEOUT_MS), runOnLimitedConnection: true } as any)
              return true
            } catch {
              open = this.libp2p.getConnections(peer).some((c) => c.status === 'open')
            }
          }
          const timeout = AbortSignal.timeout(REDIAL_TIMEOUT_MS)
          try {
            await this.libp2p.dial(target.record.addresses.map((a) => multiaddr(a)), { signal: timeout, force: open })
          } catch (err) {
            // A dial that only ran out of time while the old connection is still open says the host is busy, not
            // gone (a stopped peer refuses at once): slow, so backed off by the caller, never marked dead.
            if (open && timeout.aborted && this.libp2p.getConnections(peer).some((c) => c.status === 'open')) return true
            throw err
          }
          return true
        } catch {
          this.markDead(peerId)
          return false
        }
      })()
      this.checking.set(peerId, check)
      void check.finally(() => { this.checking.delete(peerId) })
    }
    return await check
  }

  private refreshing?: Promise<void>

  /**
   * Looks for peers again when a shard has nowhere to go: re-dials the peers marked dead (one that answers is back,
   * without its old copies) and adds any peer discovery finds that the run does not know. Concurrent callers share
   * one look.
   */
  async refreshPeers (): Promise<void> {
    if (this.refreshing !== undefined) {
      await this.refreshing
      return
    }
    this.refreshing = (async () => {
      await Promise.all([...this.dead].map(async (peerId) => {
        const target = this.targets.get(peerId)
        if (target === undefined) return
        try {
          await this.libp2p.dial(target.record.addresses.map((a) => multiaddr(a)), { signal: AbortSignal.timeout(REDIAL_TIMEOUT_MS) })
          this.dead.delete(peerId)
        } catch {
          // Still gone.
        }
      }))
      const found = await this.discover?.().catch(() => []) ?? []
      for (const target of found) {
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
   * Copies given up on peers marked dead. A peer wrongly taken for departed (a busy host) still holds them: the
   * run's end asks it to release them, so its tiles are not lost to later runs.
   */
  readonly abandoned: Array<{ peerId: string, remoteId: string }> = []

  /**
   * Marks a peer as gone for this run: it loses every shard copy it held. A peer that said it is leaving (its
   * record, or a `LEAVING` reply) is not counted as a failure.
   */
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

  /** Records that `peerId` no longer holds `shard` (its tiles are lost to the job). */
  dropAllocation (shard: ShardState, peerId: string, nowMs: number): void {
    const tiles = shard.tilesByHolder.get(peerId)
    if (tiles === undefined) return
    shard.tilesByHolder.delete(peerId)
    this.tilesTaken.set(peerId, Math.max(0, (this.tilesTaken.get(peerId) ?? 0) - tiles))
    const g = this.targets.get(peerId)?.record.device.geometry
    this.recorder.allocate(peerId, -shard.spec.cells, -(tiles * (g?.rows ?? 0) * (g?.cols ?? 0)), nowMs)
  }
}
