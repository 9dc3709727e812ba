/**
 * The load model of the reconfiguration step: utilisation of peers and shards, and M/M/1 predictions of what a
 * move does to them. Approximations, stated once:
 * - a shard's calls are spread evenly over its active replicas (tessera's routing sends each call to the
 *   replica with the lowest expected delay, which evens out queues);
 * - a peer is one M/M/1 server: with utilisation ρ it holds L = ρ / (1 − ρ) calls on average, and a call
 *   waits L · S (S its service time); ρ is capped at {@link RECONFIGURE_MAX_MODELLED_UTILISATION};
 * - a peer's utilisation is what this coordinator's own load implies (Σ rate · S) plus whatever more the peer
 *   reports (queued + in-flight calls L give ρ = L / (1 + L)): load from other coordinators counts too.
 */
import { RECONFIGURE_MAX_MODELLED_UTILISATION } from './constants.js'
import { effectiveThroughput } from './score.js'
import type { PeerView } from './types.js'
import type { Shard } from './validate.js'

/** ρ capped where the M/M/1 formulas stay finite. */
export function clampUtilisation (rho: number): number {
  return Math.min(Math.max(rho, 0), RECONFIGURE_MAX_MODELLED_UTILISATION)
}

/** Mean calls at an M/M/1 server with utilisation ρ: ρ / (1 − ρ). */
export function callsInSystem (rho: number): number {
  const r = clampUtilisation(rho)
  return r / (1 - r)
}

/** Service time of one call of `shard` on `peer`, ms (+∞ without throughput). */
export function serviceTimeMs (shard: Shard, peer: PeerView): number {
  const throughput = effectiveThroughput(peer)
  return throughput > 0 ? (shard.macsPerRequest / throughput) * 1000 : Number.POSITIVE_INFINITY
}

/** Utilisation the peer's own report implies: ρ = L / (1 + L) with L its mean queued + in-flight calls. */
export function reportedUtilisation (peer: PeerView): number {
  const calls = (peer.shortTerm?.queueDepth?.mean ?? 0) + (peer.shortTerm?.inFlight?.mean ?? 0)
  return calls > 0 ? calls / (1 + calls) : 0
}

/** Measured throughput ÷ remembered (long-term) or advertised throughput; 1 without a short-term measurement. */
export function throughputRatio (peer: PeerView): number {
  const measured = peer.shortTerm?.throughput?.ema
  if (measured === undefined || !(measured > 0)) return 1
  const reference = peer.longTerm?.throughput ?? peer.device.throughput
  return reference > 0 ? measured / reference : 1
}

/** One copy of a shard as the load model sees it. */
export interface Holder {
  peer: PeerView
  /** Service time of one call of the shard on this peer, ms. */
  serviceMs: number
}

/**
 * Utilisation per peer for one step, starting from the placement and adjusted as the step decides moves, so
 * that later decisions of the same step see the load earlier ones put on a peer.
 */
export class LoadModel {
  private readonly own = new Map<string, number>()
  private readonly foreign = new Map<string, number>()

  /**
   * @param peers - every peer with a view
   * @param active - per shard: its call rate (calls/s) and its active copies
   */
  constructor (peers: readonly PeerView[], active: Iterable<{ rate: number, holders: readonly Holder[] }>) {
    for (const p of peers) this.own.set(p.peerId, 0)
    for (const { rate, holders } of active) {
      if (holders.length === 0) continue
      const share = rate / holders.length
      for (const h of holders) this.shift(h.peer.peerId, share * h.serviceMs / 1000)
    }
    // What the peer reports beyond this coordinator's own load is someone else's; it stays put when we move.
    for (const p of peers) this.foreign.set(p.peerId, Math.max(0, reportedUtilisation(p) - (this.own.get(p.peerId) ?? 0)))
  }

  /** Estimated utilisation of a peer (may exceed 1 when it is overloaded). */
  utilisation (peerId: string): number {
    return (this.own.get(peerId) ?? 0) + (this.foreign.get(peerId) ?? 0)
  }

  /** Adds `delta` (negative to remove) to the utilisation this coordinator's calls put on a peer. */
  shift (peerId: string, delta: number): void {
    this.own.set(peerId, (this.own.get(peerId) ?? 0) + delta)
  }

  /**
   * Extra wait (ms) a call on `peer` is predicted to see once `addedRate` calls/s of `serviceMs` each move there:
   * S · (L(ρ + Δρ) − L(ρ)). +∞ when the peer would saturate.
   */
  addedWaitMs (peerId: string, addedRate: number, serviceMs: number): number {
    const rho = this.utilisation(peerId)
    const after = rho + addedRate * serviceMs / 1000
    if (after >= RECONFIGURE_MAX_MODELLED_UTILISATION) return Number.POSITIVE_INFINITY
    return serviceMs * (callsInSystem(after) - callsInSystem(rho))
  }

  /**
   * Service rate (calls/s) a copy offers the shard: 1000 / S scaled by the peer's capacity not used by other
   * work (`ownShare`: the utilisation this shard itself puts on the peer now, 0 for a new copy).
   */
  capacityPerSec (holder: Holder, ownShare: number): number {
    if (!(holder.serviceMs > 0 && Number.isFinite(holder.serviceMs))) return 0
    const other = this.utilisation(holder.peer.peerId) - ownShare
    return (1000 / holder.serviceMs) * Math.max(0, 1 - other)
  }
}

/** A shard's copies as a pool: total service rate and the mean service time of a call. */
export interface Pool {
  /** Σ service rate of the copies, calls/s. */
  ratePerSec: number
  /** Mean service time of one call over the copies, ms. */
  serviceMs: number
}

/** Utilisation of a pool carrying `rate` calls/s (+∞ when it has no capacity and some load). */
export function poolUtilisation (rate: number, pool: Pool): number {
  if (rate <= 0) return 0
  return pool.ratePerSec > 0 ? rate / pool.ratePerSec : Number.POSITIVE_INFINITY
}

/** M/M/1 response time of one call in a pool: S / (1 − u), ms (u capped, so always finite for finite S). */
export function poolResponseMs (rate: number, pool: Pool): number {
  return pool.serviceMs / (1 - clampUtilisation(poolUtilisation(rate, pool)))
}
