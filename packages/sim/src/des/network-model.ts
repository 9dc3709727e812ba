/**
 * The modelled network between a coordinator and its peers: per-peer one-way delay, path (direct, hole-punched,
 * relayed) and bandwidth, and the per-call cost of the protocol stack, each a stated parameter.
 *
 * A shard call's round trip at the coordinator (from its call slot to the decoded reply, as
 * packages/coordinator/src/shard-calls.ts measures it) is modelled as
 *
 * ```
 * delay + request overhead + request transfer → peer: queue + service → reply overhead + reply transfer + delay
 * ```
 *
 * `delay` is the scenario's emulated one-way delay (the coordinator sleeps it before sending and after the reply, on
 * loopback), plus half a relay hop on a relayed path. The overheads are what the stack adds on one machine — opening
 * a yamux stream, encoding and decoding the frames, posting the execute to the worker thread and back —, measured
 * (see `calibration.ts`), not fitted to the validation results.
 */
import { DIRECT_BANDWIDTH_BYTES_PER_SEC, HOLE_PUNCHED_BANDWIDTH_BYTES_PER_SEC, RELAYED_BANDWIDTH_BYTES_PER_SEC, RELAY_HOP_MS } from '@tessera/scheduler'
import type { PathKind } from '@tessera/scheduler'
import { InvalidDesOptionError } from './errors.js'

/** Parameters of the network model; every field is stated, none fitted. */
export interface NetworkModel {
  /** Stack cost of sending one shard request (stream open, frame, worker post), ms. */
  requestOverheadMs: number
  /** Stack cost of one reply (worker reply, frame, decode), ms. */
  replyOverheadMs: number
  /** Round trip of a ping on the path before any emulated delay, ms (what discovery measures). */
  pingRttMs: number
  /** Extra round trip of a relay hop, ms. */
  relayHopMs: number
  /** Bytes per second of each path. */
  bandwidthBytesPerSec: Record<PathKind, number>
  /** Time for a departed peer's streams to reset at the coordinator and a re-dial to be refused, ms. */
  departureDetectMs: number
  /** Time from a join to the new peer's record being readable by discovery (dial + publication), ms. */
  publishDelayMs: number
  /** Time a peer's worker takes to program one shard's conductances, per device preset, ms (absent: 0). */
  programMsByPreset?: Readonly<Record<string, number>>
  /**
   * Every node's stack runs on one event loop (the loopback harness starts them all in one process): the request
   * and reply overheads are then work on one shared first-come-first-served server, not only delays.
   */
  sharedEventLoop?: boolean
  /**
   * Event-loop time of one node's record publication (sign, put, provide), ms: on the loopback harness every node
   * shares the coordinator's event loop, so each publication holds up every message it carries (absent: 0).
   */
  publicationWorkMs?: number
  /**
   * When the harness's record publications finished, ms after discovery had found every node (measured on a
   * scenario's network), for runs without a real run's own.
   */
  publicationsAfterDiscoveryMs?: readonly number[]
  /**
   * Quantiles 0 … 100 % of the stack cost of one call (request + reply), ms: each call draws its own from this
   * distribution (linear between quantiles) instead of the constant overheads.
   */
  callOverheadQuantilesMs?: readonly number[]
}

/** One call's stack cost drawn from the measured quantiles (inverse CDF, linear between quantiles), ms. */
export function drawCallOverheadMs (quantiles: readonly number[], u: number): number {
  const pos = u * (quantiles.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(quantiles.length - 1, lo + 1)
  return quantiles[lo] + (quantiles[hi] - quantiles[lo]) * (pos - lo)
}

/**
 * The network of a wide-area deployment, from the scheduler's stated defaults (packages/scheduler/src/constants.ts:
 * 100 Mbit/s direct and hole-punched, 10 Mbit/s through a relay, a 30 ms relay hop).
 */
export function wideAreaNetwork (stack: Pick<NetworkModel, 'requestOverheadMs' | 'replyOverheadMs' | 'pingRttMs'>): NetworkModel {
  return {
    ...stack,
    relayHopMs: RELAY_HOP_MS,
    bandwidthBytesPerSec: { direct: DIRECT_BANDWIDTH_BYTES_PER_SEC, 'hole-punched': HOLE_PUNCHED_BANDWIDTH_BYTES_PER_SEC, relayed: RELAYED_BANDWIDTH_BYTES_PER_SEC },
    departureDetectMs: 5,
    publishDelayMs: 1000
  }
}

/** Checks every parameter; throws {@link InvalidDesOptionError} naming the first bad one. */
export function checkNetworkModel (model: NetworkModel): NetworkModel {
  for (const key of ['requestOverheadMs', 'replyOverheadMs', 'pingRttMs', 'relayHopMs', 'departureDetectMs', 'publishDelayMs'] as const) {
    if (!(Number.isFinite(model[key]) && model[key] >= 0)) throw new InvalidDesOptionError(`network model: ${key} must be a non-negative number, got ${model[key]}`)
  }
  for (const [path, b] of Object.entries(model.bandwidthBytesPerSec)) {
    if (!(Number.isFinite(b) && b > 0)) throw new InvalidDesOptionError(`network model: bandwidth of ${path} must be positive, got ${b}`)
  }
  return model
}

/** One-way delay to a peer on its path, ms. */
export function oneWayMs (model: NetworkModel, delayMs: number, path: PathKind): number {
  return delayMs + (path === 'relayed' ? model.relayHopMs / 2 : 0)
}

/** Time to move `bytes` over a peer's path, ms. */
export function transferMs (model: NetworkModel, bytes: number, path: PathKind): number {
  return (bytes / model.bandwidthBytesPerSec[path]) * 1000
}
