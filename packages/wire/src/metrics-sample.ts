/**
 * Short-term load samples pushed on /tessera/metrics/1.0.0: what a scheduler needs to estimate a peer's
 * queueing delay right now, without a DHT read.
 */
import type { Uint8ArrayList } from 'uint8arraylist'
import { MalformedMessageError } from './errors.js'
import { messageFrames } from './frames.js'
import * as pb from './pb/metrics.js'
import { checkNonNegative, checkSafeInteger, checkUint32 } from './validate.js'

/** One load sample of a node. */
export interface MetricsSample {
  queueDepth: number
  inFlight: number
  /** Median wall-clock latency of the node's executes in the window (ms); 0 when none ran. */
  mvmLatencyP50Ms: number
  tilesFree: number
  tilesTotal: number
  /** When the sample was taken (ms since the Unix epoch, the sender's clock). */
  sampledAtMs: number
  /** Length of the window the latency and count cover (ms). */
  windowMs: number
  /** Executes completed in the window. */
  executesInWindow: number
}

/** Validates a raw decoded sample. */
export function checkMetricsSample (m: pb.MetricsSample): MetricsSample {
  for (const field of ['queueDepth', 'inFlight', 'tilesFree', 'tilesTotal', 'windowMs', 'executesInWindow'] as const) {
    checkUint32(m[field], field)
  }
  checkNonNegative(m.mvmLatencyP50Ms, 'mvmLatencyP50Ms')
  checkSafeInteger(m.sampledAtMs, 'sampledAtMs')
  if (m.tilesFree > m.tilesTotal) throw new MalformedMessageError(`tiles free ${m.tilesFree} exceeds tiles total ${m.tilesTotal}`)
  return {
    queueDepth: m.queueDepth,
    inFlight: m.inFlight,
    mvmLatencyP50Ms: m.mvmLatencyP50Ms,
    tilesFree: m.tilesFree,
    tilesTotal: m.tilesTotal,
    sampledAtMs: m.sampledAtMs,
    windowMs: m.windowMs,
    executesInWindow: m.executesInWindow
  }
}

const SAMPLE_FRAMES = messageFrames(pb.MetricsSample, 'metrics sample', checkMetricsSample, checkMetricsSample)

/** Validates and encodes a sample. */
export const encodeMetricsSample: (sample: MetricsSample) => Uint8Array = SAMPLE_FRAMES.encode

/**
 * Decodes and validates one sample frame.
 *
 * @throws {FrameTooLargeError | MalformedMessageError}
 */
export const decodeMetricsSample: (frame: Uint8Array | Uint8ArrayList) => MetricsSample = SAMPLE_FRAMES.decode
