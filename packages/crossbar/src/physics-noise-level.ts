/**
 * A profile's `noiseLevel`: the relative output error ‖y − y_exact‖ / ‖y_exact‖ of one MVM at t = 1 s,
 * measured by a fixed seeded trial (Gaussian weights filling one tile of at most 128×128, inputs uniform on
 * [−1, 1]). The trial is deterministic, so every node computes the same figure for the same physics.
 */
import { NOISE_LEVEL_TRIAL_BATCH, NOISE_LEVEL_TRIAL_MAX_SIDE, NOISE_LEVEL_TRIAL_SEED, NOISE_LEVEL_T_SECONDS } from './constants.js'
import { isExactProfile, programAnalogBlock } from './physics-block.js'
import type { DeviceProfile } from './profile-types.js'
import { createRng } from './random.js'
import { createReferenceKernel } from './reference-kernel.js'

const cache = new Map<string, number>()
const CACHE_ENTRIES = 64

/** Estimates the relative MVM error of a (validated) profile; 0 for an exact profile. */
export function estimateNoiseLevel (profile: DeviceProfile): number {
  if (isExactProfile(profile)) return 0
  const key = JSON.stringify({ ...profile, preset: '', noiseLevel: 0, timing: null })
  const cached = cache.get(key)
  if (cached !== undefined) return cached
  // The relative error barely depends on the tile size (for pcm within 2% between 128×128 and 256×256),
  // so larger tiles are sampled with a 128×128 block to keep profile creation fast.
  const rows = Math.min(profile.geometry.rows, NOISE_LEVEL_TRIAL_MAX_SIDE)
  const cols = Math.min(profile.geometry.cols, NOISE_LEVEL_TRIAL_MAX_SIDE)
  const batch = NOISE_LEVEL_TRIAL_BATCH
  const rng = createRng(NOISE_LEVEL_TRIAL_SEED)
  const weights = new Float32Array(rows * cols)
  for (let i = 0; i < weights.length; i++) weights[i] = rng.nextNormal()
  const x = new Float32Array(batch * rows)
  for (let i = 0; i < x.length; i++) x[i] = 2 * rng.nextFloat() - 1
  const block = programAnalogBlock({ profile, weights, rows, cols, seed: NOISE_LEVEL_TRIAL_SEED, kernel: createReferenceKernel() })
  const out = new Float32Array(batch * cols)
  block.execute(x, batch, out, { tSeconds: NOISE_LEVEL_T_SECONDS })
  block.free()
  let errSq = 0
  let refSq = 0
  const exact = new Float64Array(cols)
  for (let b = 0; b < batch; b++) {
    exact.fill(0)
    for (let i = 0; i < rows; i++) {
      const xi = x[b * rows + i]
      for (let j = 0; j < cols; j++) exact[j] += xi * weights[i * cols + j]
    }
    for (let j = 0; j < cols; j++) {
      const d = out[b * cols + j] - exact[j]
      errSq += d * d
      refSq += exact[j] * exact[j]
    }
  }
  const level = refSq > 0 ? Math.sqrt(errSq / refSq) : 0
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string)
  cache.set(key, level)
  return level
}
