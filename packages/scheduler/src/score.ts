/**
 * tessera's peer score: the expected completion time of one shard call on one peer, in milliseconds, read
 * from both memories and the path the peer is reachable by. Lower is better.
 *
 * ```
 * T_compute = macsPerRequest / throughput · 1000                       [ms]   throughput in MAC/s: the short-term
 *                                                                               EMA if measured, else long-term mean,
 *                                                                               else the advertised figure
 * T_service = short-term mean serviceMs if measured, else T_compute     [ms]
 * T_queue   = (queueDepth + inFlight + pending) · T_service + committed [ms]  queueDepth, inFlight: latest gossip
 *                                                                               sample; pending: this coordinator's
 *                                                                               outstanding calls; committed: work per
 *                                                                               request of shards this placement has
 *                                                                               already put on the peer
 * T_network = rtt + hop + requestBytes / B · 1000                       [ms]   hop = relay hop latency on a relayed
 *                                                                               path, B = bandwidth of the path, B/s
 * T_upload  = bytes / B · 1000 / amortisationRequests                   [ms]   the weight upload, spread over the
 *                                                                               requests it will serve
 * T         = (T_queue + T_compute + T_network + T_upload)
 *             · 1 / ((1 − f) · a)                                        f: failure probability (max of long-term
 *                                                                               failure rate and a trusted short-term
 *                                                                               error rate), a: availability; a call
 *                                                                               is retried until it succeeds, so the
 *                                                                               expected attempts are 1 / (1 − f)
 *             · (1 + w_err · resultError)                                mean relative result error (verification)
 *             · (1 + p_trend  if the long-term trend is degrading)
 *             · (1 + w_noise · sensitivity · max(0, noise − θ) / θ)      θ = noise threshold
 * ```
 * Hard constraints (the call is infeasible, score +∞): too few free tiles or tiles too small; no throughput;
 * on a relayed path, weights larger than the relay's data limit or an upload longer than its duration limit
 * (js-libp2p's defaults, 128 KiB and 2 min, when the limits are unknown).
 */
import {
  DEFAULT_RELAY_DATA_BYTES,
  DEFAULT_RELAY_DURATION_MS,
  DEGRADING_TREND_PENALTY,
  DIRECT_BANDWIDTH_BYTES_PER_SEC,
  HOLE_PUNCHED_BANDWIDTH_BYTES_PER_SEC,
  MAX_FAILURE_PROBABILITY,
  MIN_AVAILABILITY,
  NOISE_LEVEL_THRESHOLD,
  NOISE_PENALTY_WEIGHT,
  PRIOR_FAILURE_RATE,
  RELAYED_BANDWIDTH_BYTES_PER_SEC,
  RELAY_HOP_MS,
  RESULT_ERROR_WEIGHT,
  SHORT_TERM_MIN_CALLS,
  UPLOAD_AMORTISATION_REQUESTS
} from './constants.js'
import { InvalidSchedulerOptionError } from './errors.js'
import { geometryFits } from './validate.js'
import type { PathKind, PeerView } from './types.js'
import type { Shard } from './validate.js'

/** Parameters of the score; every field is optional in {@link ScoreModelInit} with a default in constants.ts. */
export interface ScoreModel {
  /** Bandwidth per path when the peer view has no measured figure, bytes per second. */
  bandwidthBytesPerSec: Record<PathKind, number>
  /** Extra latency of a relay hop, ms. */
  relayHopMs: number
  /** Requests a weight upload is amortised over. */
  amortisationRequests: number
  /** Noise level θ above which sensitive shards are penalised. */
  noiseThreshold: number
  /** w_noise. */
  noisePenaltyWeight: number
  /** w_err. */
  resultErrorWeight: number
  /** p_trend. */
  degradingTrendPenalty: number
  /** Short-term calls needed before the short-term error rate counts. */
  shortTermMinCalls: number
  /** Failure probability of a peer without long-term history. */
  priorFailureRate: number
}

/** Options of {@link createScoreModel}. */
export type ScoreModelInit = Partial<Omit<ScoreModel, 'bandwidthBytesPerSec'>> & { bandwidthBytesPerSec?: Partial<Record<PathKind, number>> }

/** Builds a score model from defaults and overrides; throws {@link InvalidSchedulerOptionError} on a bad value. */
export function createScoreModel (init: ScoreModelInit = {}): ScoreModel {
  const model: ScoreModel = {
    bandwidthBytesPerSec: {
      direct: init.bandwidthBytesPerSec?.direct ?? DIRECT_BANDWIDTH_BYTES_PER_SEC,
      'hole-punched': init.bandwidthBytesPerSec?.['hole-punched'] ?? HOLE_PUNCHED_BANDWIDTH_BYTES_PER_SEC,
      relayed: init.bandwidthBytesPerSec?.relayed ?? RELAYED_BANDWIDTH_BYTES_PER_SEC
    },
    relayHopMs: init.relayHopMs ?? RELAY_HOP_MS,
    amortisationRequests: init.amortisationRequests ?? UPLOAD_AMORTISATION_REQUESTS,
    noiseThreshold: init.noiseThreshold ?? NOISE_LEVEL_THRESHOLD,
    noisePenaltyWeight: init.noisePenaltyWeight ?? NOISE_PENALTY_WEIGHT,
    resultErrorWeight: init.resultErrorWeight ?? RESULT_ERROR_WEIGHT,
    degradingTrendPenalty: init.degradingTrendPenalty ?? DEGRADING_TREND_PENALTY,
    shortTermMinCalls: init.shortTermMinCalls ?? SHORT_TERM_MIN_CALLS,
    priorFailureRate: init.priorFailureRate ?? PRIOR_FAILURE_RATE
  }
  for (const [path, b] of Object.entries(model.bandwidthBytesPerSec)) {
    if (!(Number.isFinite(b) && b > 0)) throw new InvalidSchedulerOptionError(`bandwidthBytesPerSec.${path} must be positive, got ${b}`)
  }
  for (const key of ['relayHopMs', 'noisePenaltyWeight', 'resultErrorWeight', 'degradingTrendPenalty', 'shortTermMinCalls'] as const) {
    if (!(Number.isFinite(model[key]) && model[key] >= 0)) throw new InvalidSchedulerOptionError(`${key} must be non-negative, got ${model[key]}`)
  }
  if (!(Number.isFinite(model.amortisationRequests) && model.amortisationRequests >= 1)) throw new InvalidSchedulerOptionError('amortisationRequests must be at least 1')
  if (!(Number.isFinite(model.noiseThreshold) && model.noiseThreshold > 0)) throw new InvalidSchedulerOptionError('noiseThreshold must be positive')
  if (!(model.priorFailureRate >= 0 && model.priorFailureRate < 1)) throw new InvalidSchedulerOptionError('priorFailureRate must be in [0, 1)')
  return model
}

/** Load already on the peer that the short-term memory cannot know about. */
export interface ScoreContext {
  /** Shard calls this coordinator has outstanding on the peer. */
  pending?: number
  /** Work per request (ms) of shards already committed to the peer in the placement being built. */
  committedMs?: number
  /** Tiles still free on the peer (default its advertised `tilesFree`). */
  tilesFree?: number
  /**
   * The shard is already programmed on the peer (routing a call to a replica): capacity, geometry and the
   * relay's upload limits no longer apply and there is no upload term.
   */
  programmed?: boolean
}

/** Every term of the score, for reports and tests. */
export interface ScoreBreakdown {
  feasible: boolean
  /** Why the peer cannot take the shard (set when `feasible` is false). */
  reason?: string
  computeMs: number
  queueMs: number
  networkMs: number
  uploadMs: number
  /** 1 / ((1 − f) · a). */
  reliabilityFactor: number
  resultErrorFactor: number
  trendFactor: number
  noiseFactor: number
  /** The score: expected completion time, ms (+∞ when infeasible). */
  totalMs: number
}

/** Effective MVM throughput of a peer, MAC/s: measured short-term EMA, else long-term mean, else advertised. */
export function effectiveThroughput (peer: PeerView): number {
  const measured = peer.shortTerm?.throughput?.ema
  if (measured !== undefined && measured > 0) return measured
  const remembered = peer.longTerm?.throughput
  if (remembered !== undefined && remembered > 0) return remembered
  return peer.device.throughput
}

/** Bandwidth to a peer, bytes per second: measured, else the model's figure for its path. */
export function pathBandwidth (peer: PeerView, model: ScoreModel): number {
  return peer.bandwidthBytesPerSec ?? model.bandwidthBytesPerSec[peer.path]
}

/**
 * Time one call of `shard` spends on the path to `peer`, ms: the measured round trip (through the relay, on a
 * relayed path) and the call's bytes at the path's bandwidth.
 */
export function callPathMs (shard: Pick<Shard, 'requestBytes'>, peer: PeerView, model: ScoreModel): number {
  return peer.rttMs + transferMs(shard, pathBandwidth(peer, model))
}

/** Time one call's bytes take at `bandwidthBytesPerSec`, ms. */
function transferMs (shard: Pick<Shard, 'requestBytes'>, bandwidthBytesPerSec: number): number {
  return (shard.requestBytes / bandwidthBytesPerSec) * 1000
}

/** Expected completion time of one call of `shard` on `peer`, term by term. See the module comment. */
export function scoreShard (shard: Shard, peer: PeerView, model: ScoreModel, context: ScoreContext = {}): ScoreBreakdown {
  const breakdown: ScoreBreakdown = {
    feasible: true,
    computeMs: 0,
    queueMs: 0,
    networkMs: 0,
    uploadMs: 0,
    reliabilityFactor: 1,
    resultErrorFactor: 1,
    trendFactor: 1,
    noiseFactor: 1,
    totalMs: Number.POSITIVE_INFINITY
  }
  const infeasible = (reason: string): ScoreBreakdown => ({ ...breakdown, feasible: false, reason })
  const programmed = context.programmed === true
  const tilesFree = context.tilesFree ?? peer.device.tilesFree
  if (!programmed && !geometryFits(peer.device.geometry, shard.geometry)) {
    return infeasible(`tiles ${peer.device.geometry.rows}×${peer.device.geometry.cols} smaller than ${shard.geometry.rows}×${shard.geometry.cols}`)
  }
  if (!programmed && tilesFree < shard.tilesNeeded) return infeasible(`${tilesFree} free tile(s), needs ${shard.tilesNeeded}`)
  const throughput = effectiveThroughput(peer)
  if (!(throughput > 0)) return infeasible('no throughput')
  const bandwidth = pathBandwidth(peer, model)
  const uploadFullMs = programmed ? 0 : (shard.bytes / bandwidth) * 1000
  if (!programmed && peer.path === 'relayed') {
    const dataBytes = peer.relayLimits?.dataBytes ?? DEFAULT_RELAY_DATA_BYTES
    const durationMs = peer.relayLimits?.durationMs ?? DEFAULT_RELAY_DURATION_MS
    if (shard.bytes > dataBytes) return infeasible(`weights (${shard.bytes} B) exceed the relay's data limit (${dataBytes} B)`)
    if (uploadFullMs > durationMs) return infeasible(`upload (${uploadFullMs.toFixed(0)} ms) exceeds the relay's duration limit (${durationMs} ms)`)
  }

  const computeMs = (shard.macsPerRequest / throughput) * 1000
  const serviceMs = peer.shortTerm?.serviceMs?.mean ?? computeMs
  const waiting = (peer.shortTerm?.queueDepth?.latest ?? 0) + (peer.shortTerm?.inFlight?.latest ?? 0) + (context.pending ?? 0)
  const queueMs = waiting * serviceMs + (context.committedMs ?? 0)
  const networkMs = peer.rttMs + (peer.path === 'relayed' ? model.relayHopMs : 0) + transferMs(shard, bandwidth)
  const uploadMs = uploadFullMs / model.amortisationRequests

  let failure = peer.longTerm?.failureRate ?? model.priorFailureRate
  const st = peer.shortTerm
  if (st?.errorRate !== undefined && st.calls >= model.shortTermMinCalls) failure = Math.max(failure, st.errorRate)
  failure = Math.min(failure, MAX_FAILURE_PROBABILITY)
  const availability = Math.max(peer.longTerm?.availability ?? 1, MIN_AVAILABILITY)
  const reliabilityFactor = 1 / ((1 - failure) * availability)
  const resultErrorFactor = 1 + model.resultErrorWeight * (peer.longTerm?.resultError ?? 0)
  const trendFactor = peer.longTerm?.trend === 'degrading' ? 1 + model.degradingTrendPenalty : 1
  const excessNoise = Math.max(0, peer.device.noiseLevel - model.noiseThreshold) / model.noiseThreshold
  const noiseFactor = 1 + model.noisePenaltyWeight * shard.sensitivity * excessNoise

  const totalMs = (queueMs + computeMs + networkMs + uploadMs) * reliabilityFactor * resultErrorFactor * trendFactor * noiseFactor
  return { feasible: true, computeMs, queueMs, networkMs, uploadMs, reliabilityFactor, resultErrorFactor, trendFactor, noiseFactor, totalMs }
}
