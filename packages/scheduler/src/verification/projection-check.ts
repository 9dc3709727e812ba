/**
 * A randomised projection check of a shard's outputs, in the spirit of Freivalds: instead of recomputing
 * `Y = X·W`, compare `Y·r` with `X·(W r)` for secret random sign vectors r, `W r` computed once per shard copy.
 * A check costs O(batch × K × (rows + cols)), not a second product. The acceptance region is derived from the
 * holder's declared device (block-model.ts, acceptance.ts), so an honest noisy device passes and an output that is
 * off by more than its noise fails.
 */
import { createRng } from '@tessera/crossbar'
import type { DeviceProfile } from '@tessera/crossbar'
import { acceptanceFactor, DEFAULT_FALSE_ALARM_PER_CHECK, DEFAULT_PROJECTIONS } from './acceptance.js'
import { expectedSquaredError, referenceWeights, shardErrorModel } from './block-model.js'
import type { BlockErrorModel } from './block-model.js'

/** Options of {@link createShardVerifier}. */
export interface ShardVerifierInit {
  /** The holder's declared device (preset and tile geometry of its capacity record). */
  profile: DeviceProfile
  /** The shard's weights, `rows × cols` row-major (the crossbar's W^T), as the coordinator programmed them. */
  weights: Float32Array
  rows: number
  cols: number
  /** Secret seed of the sign vectors (never sent to a peer). */
  seed: string
  /** Age of the copy the region must hold for, s (drift and 1/f noise grow with it). */
  ageSeconds: number
  /** K, the number of projections (default 16). */
  projections?: number
  /** False-alarm probability of one check of an honest device (default 2e−9). */
  falseAlarmPerCheck?: number
}

/** The verdict of one check. */
export interface CheckVerdict {
  accepted: boolean
  /** S = (1/K) Σ_k Σ_b (y_b·r_k − x_b·(W r_k))². */
  statistic: number
  /** M = Σ_b E‖e_b‖² of an honest device. */
  expected: number
  /** The largest S accepted: M × the acceptance factor. */
  threshold: number
}

/** A shard copy's verifier. */
export interface ShardVerifier {
  readonly rows: number
  readonly cols: number
  /** The acceptance factor of this copy: S ≤ factor × M passes. */
  readonly factor: number
  /** Checks `y` (`batch × cols`) as the answer to `x` (`batch × rows`). */
  check: (x: Float32Array, y: Float32Array, batch: number) => CheckVerdict
  /** M for the batch (Σ_b E‖e_b‖²), read at the returned `y`. */
  expectedError: (x: Float32Array, y: Float32Array, batch: number) => number
  /** The projections y_b·r_k − x_b·(W r_k), `batch × K`. */
  residuals: (x: Float32Array, y: Float32Array, batch: number) => Float64Array
}

/** Outputs (columns) that carry at least one non-zero weight. */
function weightedOutputs (weights: Float32Array, rows: number, cols: number): number {
  let n = 0
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) {
      if (weights[i * cols + j] !== 0) {
        n++
        break
      }
    }
  }
  return n
}

/** Draws K sign vectors (K × cols, ±1) and computes W r_k (K × rows). */
function projections (weights: Float32Array, rows: number, cols: number, k: number, seed: string): { signs: Float64Array, wr: Float64Array } {
  const rng = createRng(`${seed}/verify-signs`)
  const signs = new Float64Array(k * cols)
  for (let i = 0; i < signs.length; i++) signs[i] = rng.nextFloat() < 0.5 ? -1 : 1
  const wr = new Float64Array(k * rows)
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const w = weights[i * cols + j]
      if (w === 0) continue
      for (let p = 0; p < k; p++) wr[p * rows + i] += w * signs[p * cols + j]
    }
  }
  return { signs, wr }
}

/** A verifier for one copy of a shard on one declared device. Costs O(K × rows × cols) once. */
export function createShardVerifier (init: ShardVerifierInit): ShardVerifier {
  const { profile, rows, cols } = init
  const k = init.projections ?? DEFAULT_PROJECTIONS
  const reference = referenceWeights(profile, init.weights, rows, cols)
  const blocks: BlockErrorModel[] = shardErrorModel(profile, init.weights, rows, cols, init.ageSeconds)
  const { signs, wr } = projections(reference, rows, cols, k, init.seed)
  const factor = acceptanceFactor(k, weightedOutputs(init.weights, rows, cols), init.falseAlarmPerCheck ?? DEFAULT_FALSE_ALARM_PER_CHECK)

  const residuals = (x: Float32Array, y: Float32Array, batch: number): Float64Array => {
    const out = new Float64Array(batch * k)
    for (let b = 0; b < batch; b++) {
      for (let p = 0; p < k; p++) {
        let s = 0
        const sp = p * cols
        for (let j = 0; j < cols; j++) s += y[b * cols + j] * signs[sp + j]
        const wp = p * rows
        for (let i = 0; i < rows; i++) s -= x[b * rows + i] * wr[wp + i]
        out[b * k + p] = s
      }
    }
    return out
  }
  const expectedError = (x: Float32Array, y: Float32Array, batch: number): number => {
    let m = 0
    for (let b = 0; b < batch; b++) m += expectedSquaredError(profile, blocks, x, b * rows, y, b * cols)
    return m
  }
  return {
    rows,
    cols,
    factor,
    residuals,
    expectedError,
    check: (x, y, batch) => {
      const r = residuals(x, y, batch)
      let statistic = 0
      for (const s of r) statistic += s * s
      statistic /= k
      const expected = expectedError(x, y, batch)
      const threshold = expected * factor
      // A non-finite output is never an honest one.
      return { accepted: Number.isFinite(statistic) && statistic <= threshold, statistic, expected, threshold }
    }
  }
}

/**
 * Spot replication: compares two copies' answers `y1`, `y2` to the same `x` within the region of their two
 * devices (the difference of two honest errors has second moment M1 + M2; same projections, same bounds).
 */
export function compareReplicas (first: ShardVerifier, second: ShardVerifier, x: Float32Array, y1: Float32Array, y2: Float32Array, batch: number): CheckVerdict {
  const r1 = first.residuals(x, y1, batch)
  const r2 = second.residuals(x, y2, batch)
  let statistic = 0
  // Both verifiers of one shard share the secret seed, so r_k are the same and r1 − r2 = (e1 − e2)·r_k, e the
  // errors against each device's own reference weights.
  for (let i = 0; i < r1.length; i++) statistic += (r1[i] - r2[i]) ** 2
  statistic /= r1.length / batch
  const expected = first.expectedError(x, y1, batch) + second.expectedError(x, y2, batch)
  const threshold = expected * Math.max(first.factor, second.factor)
  return { accepted: Number.isFinite(statistic) && statistic <= threshold, statistic, expected, threshold }
}
