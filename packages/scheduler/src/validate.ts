/**
 * Input checks shared by every policy, and the bookkeeping of tiles a placement commits on each peer.
 */
import { InvalidSchedulerInputError } from './errors.js'
import type { Geometry, PeerView, Placement, PlacementInput, ShardSpec } from './types.js'

/** A shard with every optional field filled in. */
export type Shard = Required<ShardSpec>

const PATHS = new Set(['direct', 'hole-punched', 'relayed'])

/** Validates shards and fills in defaults; throws {@link InvalidSchedulerInputError}. */
export function normaliseShards (shards: readonly ShardSpec[]): Shard[] {
  const seen = new Set<string>()
  return shards.map((s) => {
    const bad = (why: string): never => { throw new InvalidSchedulerInputError(`shard ${JSON.stringify(s?.id)}: ${why}`) }
    if (typeof s !== 'object' || s === null) return bad('not an object')
    if (typeof s.id !== 'string' || s.id.length === 0) bad('id must be a non-empty string')
    if (seen.has(s.id)) throw new InvalidSchedulerInputError(`shard id ${s.id} appears twice`)
    seen.add(s.id)
    if (!isPositiveInteger(s.tilesNeeded)) bad('tilesNeeded must be a positive integer')
    if (!isGeometry(s.geometry)) bad('geometry must have positive integer rows and cols')
    if (!isNonNegative(s.cells)) bad('cells must be a finite non-negative number')
    if (!isNonNegative(s.bytes)) bad('bytes must be a finite non-negative number')
    if (!(isNonNegative(s.sensitivity) && s.sensitivity <= 1)) bad('sensitivity must be in [0, 1]')
    if (!isNonNegative(s.expectedLoad)) bad('expectedLoad must be a finite non-negative number')
    if (s.macsPerRequest !== undefined && !isNonNegative(s.macsPerRequest)) bad('macsPerRequest must be a finite non-negative number')
    if (s.requestBytes !== undefined && !isNonNegative(s.requestBytes)) bad('requestBytes must be a finite non-negative number')
    if (s.replicas !== undefined && !isPositiveInteger(s.replicas)) bad('replicas must be a positive integer')
    if (s.maxReplicas !== undefined && !isPositiveInteger(s.maxReplicas)) bad('maxReplicas must be a positive integer')
    return {
      id: s.id,
      tilesNeeded: s.tilesNeeded,
      geometry: { rows: s.geometry.rows, cols: s.geometry.cols },
      cells: s.cells,
      bytes: s.bytes,
      sensitivity: s.sensitivity,
      expectedLoad: s.expectedLoad,
      macsPerRequest: s.macsPerRequest ?? s.cells,
      requestBytes: s.requestBytes ?? 0,
      replicas: s.replicas ?? 1,
      maxReplicas: Math.max(s.replicas ?? 1, s.maxReplicas ?? 1)
    }
  })
}

/** Validates peer views; throws {@link InvalidSchedulerInputError}. */
export function checkPeers (peers: readonly PeerView[]): void {
  const seen = new Set<string>()
  for (const p of peers) {
    const bad = (why: string): never => { throw new InvalidSchedulerInputError(`peer ${JSON.stringify(p?.peerId)}: ${why}`) }
    if (typeof p !== 'object' || p === null) bad('not an object')
    if (typeof p.peerId !== 'string' || p.peerId.length === 0) bad('peerId must be a non-empty string')
    if (seen.has(p.peerId)) throw new InvalidSchedulerInputError(`peer ${p.peerId} appears twice`)
    seen.add(p.peerId)
    const d = p.device
    if (typeof d !== 'object' || d === null) bad('device missing')
    if (!isGeometry(d.geometry)) bad('device.geometry must have positive integer rows and cols')
    if (!isNonNegative(d.noiseLevel)) bad('device.noiseLevel must be finite and non-negative')
    if (!(Number.isInteger(d.tilesTotal) && d.tilesTotal >= 0)) bad('device.tilesTotal must be a non-negative integer')
    if (!(Number.isInteger(d.tilesFree) && d.tilesFree >= 0 && d.tilesFree <= d.tilesTotal)) bad('device.tilesFree must be an integer in [0, tilesTotal]')
    if (!isNonNegative(d.throughput)) bad('device.throughput must be finite and non-negative')
    if (!PATHS.has(p.path)) bad(`path must be direct, hole-punched or relayed, got ${String(p.path)}`)
    if (!isNonNegative(p.rttMs)) bad('rttMs must be finite and non-negative')
    if (p.callSlots !== undefined && !(Number.isSafeInteger(p.callSlots) && p.callSlots > 0)) bad('callSlots must be a positive integer')
    if (p.bandwidthBytesPerSec !== undefined && !(Number.isFinite(p.bandwidthBytesPerSec) && p.bandwidthBytesPerSec > 0)) bad('bandwidthBytesPerSec must be positive')
    if (p.relayLimits !== undefined && !(isNonNegative(p.relayLimits.dataBytes) && isNonNegative(p.relayLimits.durationMs))) bad('relayLimits must be non-negative')
  }
}

/** True when a tile of geometry `tile` can hold a shard that needs `need`. */
export function geometryFits (tile: Geometry, need: Geometry): boolean {
  return tile.rows >= need.rows && tile.cols >= need.cols
}

/**
 * Tiles committed per peer during one placement. Every policy allocates through it, so none can over-commit:
 * `take` refuses a peer whose remaining free tiles are fewer than the shard needs.
 */
export class TileLedger {
  private readonly free = new Map<string, number>()
  private readonly taken = new Map<string, number>()

  constructor (peers: readonly PeerView[]) {
    for (const p of peers) {
      this.free.set(p.peerId, p.device.tilesFree)
      this.taken.set(p.peerId, 0)
    }
  }

  /** Free tiles left on a peer. */
  remaining (peerId: string): number {
    return this.free.get(peerId) ?? 0
  }

  /** Tiles taken on a peer so far. */
  used (peerId: string): number {
    return this.taken.get(peerId) ?? 0
  }

  /** True when `peer` can take `shard` now (tiles left and geometry). */
  fits (peer: PeerView, shard: Shard): boolean {
    return this.remaining(peer.peerId) >= shard.tilesNeeded && geometryFits(peer.device.geometry, shard.geometry)
  }

  /** Commits the shard's tiles on the peer; returns false (and commits nothing) when they do not fit. */
  take (peer: PeerView, shard: Shard): boolean {
    if (!this.fits(peer, shard)) return false
    this.free.set(peer.peerId, this.remaining(peer.peerId) - shard.tilesNeeded)
    this.taken.set(peer.peerId, this.used(peer.peerId) + shard.tilesNeeded)
    return true
  }

  /** Peer id → tiles taken, for peers with at least one. */
  byPeer (): Map<string, number> {
    const out = new Map<string, number>()
    for (const [peerId, n] of this.taken) if (n > 0) out.set(peerId, n)
    return out
  }
}

/** A placement in the making: the checked shards, the tiles taken so far, and each shard's copies and shortfall reason. */
export interface PlacementDraft {
  shards: Shard[]
  ledger: TileLedger
  copies: Map<string, string[]>
  why: Map<string, string>
}

/** Checks a policy's input and starts its placement with nothing placed; throws {@link InvalidSchedulerInputError}. */
export function startPlacement (input: PlacementInput): PlacementDraft {
  const shards = normaliseShards(input.shards)
  checkPeers(input.peers)
  return { shards, ledger: new TileLedger(input.peers), copies: new Map(), why: new Map() }
}

/** Records the peers a shard's copies went to, and why there are fewer than it wants when there are. */
export function recordHolders (draft: PlacementDraft, shard: Shard, holders: string[], peers: readonly PeerView[]): void {
  if (holders.length > 0) draft.copies.set(shard.id, holders)
  if (holders.length < shard.replicas) {
    draft.why.set(shard.id, holders.length === 0 ? noFitReason(shard, peers, draft.ledger) : `only ${holders.length} of ${shard.replicas} copies: no other peer can take it`)
  }
}

/** Builds a {@link Placement} from per-shard copies, recording unplaced shards and short replica counts. */
export function finishPlacement (policy: string, shards: readonly Shard[], copies: Map<string, string[]>,
  ledger: TileLedger, why: Map<string, string>): Placement {
  const assignments = new Map<string, string[]>()
  const unplaced: string[] = []
  const reasons = new Map<string, string>()
  for (const shard of shards) {
    const holders = copies.get(shard.id) ?? []
    if (holders.length > 0) assignments.set(shard.id, holders)
    else unplaced.push(shard.id)
    if (holders.length < shard.replicas) {
      reasons.set(shard.id, why.get(shard.id) ?? (holders.length === 0 ? 'no peer with room for it' : `only ${holders.length} of ${shard.replicas} copies placed`))
    }
  }
  return { policy, assignments, unplaced, reasons, tilesByPeer: ledger.byPeer() }
}

/** The reason a shard fits on no peer at all, in words a report can show. */
export function noFitReason (shard: Shard, peers: readonly PeerView[], ledger: TileLedger): string {
  const geometryOk = peers.filter((p) => geometryFits(p.device.geometry, shard.geometry))
  if (geometryOk.length === 0) return `no peer has tiles of at least ${shard.geometry.rows}×${shard.geometry.cols}`
  return `no peer with ${shard.geometry.rows}×${shard.geometry.cols} tiles has ${shard.tilesNeeded} free tile(s) left (most: ${Math.max(...geometryOk.map((p) => ledger.remaining(p.peerId)))})`
}

function isPositiveInteger (value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0
}

function isNonNegative (value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

function isGeometry (g: unknown): g is Geometry {
  return typeof g === 'object' && g !== null && isPositiveInteger((g as Geometry).rows) && isPositiveInteger((g as Geometry).cols)
}
