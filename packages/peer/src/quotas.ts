/**
 * Per-peer quotas of a serving node. Every limit is per remote PeerId (authenticated by the Noise handshake), so a
 * stranger can take at most its share whatever it sends; a refusal is a {@link QuotaExceededError} naming the
 * resource, the limit and what the request would have taken (docs/security.md).
 */
import { MAX_FRAME_SIZE_BYTES, MAX_IN_FLIGHT_PER_PEER, QUOTA_RESOURCES, QuotaExceededError } from '@tessera/wire'
import { InvalidNodeOptionError } from './errors.js'
import type { NetworkMode } from './libp2p.js'

/** Share of a node's tiles one peer may hold on a public network (on `local` every node is the operator's own). */
export const DEFAULT_MAX_TILES_PER_PEER_FRACTION = 0.5

/** Uploads one peer may have in progress at once (a coordinator uploads one at a time per peer). */
export const DEFAULT_MAX_PENDING_UPLOADS_PER_PEER = 2

/** Shard streams one peer may have open at once. */
export const DEFAULT_MAX_STREAMS_PER_PEER = MAX_IN_FLIGHT_PER_PEER

/** Executes of one peer running at once (a coordinator keeps 6 calls per peer in flight). */
export const DEFAULT_MAX_EXECUTES_IN_FLIGHT_PER_PEER = 6

/**
 * Bytes per second one peer may send over its shard streams. Above it the node reads that peer's frames later
 * (back-pressure through yamux's window), so a fast client slows down instead of failing. 64 MiB/s uploads a
 * 512×512 shard in 16 ms.
 */
export const DEFAULT_MAX_BYTES_PER_SECOND_PER_PEER = 64 * 1024 * 1024

/** Shard streams served at once over all peers; more get BUSY (bounds memory: each may buffer one frame). */
export const DEFAULT_MAX_SHARD_STREAMS_TOTAL = 128

/** The quotas of a shard service; see the constants above for the defaults. */
export interface PeerQuotas {
  maxTilesPerPeer: number
  maxPendingUploadsPerPeer: number
  maxStreamsPerPeer: number
  maxExecutesInFlightPerPeer: number
  maxBytesPerSecondPerPeer: number
  maxStreamsTotal: number
}

/** Default tile quota: {@link DEFAULT_MAX_TILES_PER_PEER_FRACTION} of the pool on `public`, the whole pool on `local`. */
export function defaultMaxTilesPerPeer (tilesTotal: number, network: NetworkMode): number {
  return network === 'local' ? tilesTotal : Math.max(1, Math.ceil(tilesTotal * DEFAULT_MAX_TILES_PER_PEER_FRACTION))
}

/** Throws {@link InvalidNodeOptionError} unless `value` is a positive safe integer. */
export function checkQuota (value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidNodeOptionError(`${what} must be a positive integer, got ${value}`)
  return value
}

/** Tiles a `rows × cols` shard takes on tiles of `tileRows × tileCols` (one tile per grid block). */
export function tilesFor (rows: number, cols: number, tileRows: number, tileCols: number): number {
  return Math.ceil(rows / tileRows) * Math.ceil(cols / tileCols)
}

/**
 * Counts what each peer holds of each counted resource. `acquire` refuses past the limit; `release` gives back.
 * A peer's entry goes once it holds nothing, so the ledger grows only with the peers active now.
 */
export class PeerLedger {
  private readonly held = new Map<string, Map<string, number>>()

  /** Takes `amount` of `resource` for `peer`, or throws {@link QuotaExceededError} when that would pass `limit`. */
  acquire (peer: string, resource: string, limit: number, amount = 1): void {
    const now = this.heldBy(peer, resource)
    if (now + amount > limit) {
      throw new QuotaExceededError(`${resource}: ${now} held, ${amount} more asked, limit ${limit} per peer`, {
        quota: { resource, limit, requested: now + amount }
      })
    }
    let byResource = this.held.get(peer)
    if (byResource === undefined) {
      byResource = new Map()
      this.held.set(peer, byResource)
    }
    byResource.set(resource, now + amount)
  }

  release (peer: string, resource: string, amount = 1): void {
    const byResource = this.held.get(peer)
    if (byResource === undefined) return
    const left = (byResource.get(resource) ?? 0) - amount
    if (left > 0) byResource.set(resource, left)
    else byResource.delete(resource)
    if (byResource.size === 0) this.held.delete(peer)
  }

  heldBy (peer: string, resource: string): number {
    return this.held.get(peer)?.get(resource) ?? 0
  }

  /** Peers holding anything now. */
  peers (): number {
    return this.held.size
  }
}

/** Bucket entries kept before idle (full) buckets are dropped. */
const MAX_IDLE_BUCKETS = 256

interface Bucket {
  tokens: number
  atMs: number
}

/**
 * Per-peer byte rate: a token bucket of `bytesPerSecond` that holds at most one second's worth (and at least one
 * frame). `take` resolves at once while the peer is within its rate and after the time that pays its debt
 * otherwise; the caller reads nothing more from that peer meanwhile.
 */
export class ByteRateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly capacity: number

  constructor (private readonly bytesPerSecond: number, private readonly now: () => number = () => performance.now()) {
    this.capacity = Math.max(bytesPerSecond, MAX_FRAME_SIZE_BYTES)
  }

  /** Milliseconds `peer` must wait after sending `bytes` more (0 within its rate). */
  debit (peer: string, bytes: number): number {
    const nowMs = this.now()
    const b = this.buckets.get(peer) ?? { tokens: this.capacity, atMs: nowMs }
    b.tokens = Math.min(this.capacity, b.tokens + (nowMs - b.atMs) * this.bytesPerSecond / 1000) - bytes
    b.atMs = nowMs
    this.buckets.set(peer, b)
    if (this.buckets.size > MAX_IDLE_BUCKETS) this.dropIdle(nowMs)
    return b.tokens >= 0 ? 0 : -b.tokens * 1000 / this.bytesPerSecond
  }

  async take (peer: string, bytes: number): Promise<void> {
    const waitMs = this.debit(peer, bytes)
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs))
  }

  size (): number {
    return this.buckets.size
  }

  private dropIdle (nowMs: number): void {
    for (const [peer, b] of this.buckets) {
      if (b.tokens + (nowMs - b.atMs) * this.bytesPerSecond / 1000 >= this.capacity) this.buckets.delete(peer)
    }
  }
}

export { QUOTA_RESOURCES }
