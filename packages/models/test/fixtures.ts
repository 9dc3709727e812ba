/**
 * Shared test fixtures: the MNIST split and a small, quickly trained model cached across test files and runs
 * (the cache key covers every hyperparameter, so a change retrains).
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadMnist, loadOrTrainModel } from '../src/index.js'
import type { MlpModel, TrainingHyperparameters } from '../src/index.js'

/** A 784-64-32-10 MLP, 2 epochs: trains in a few seconds and reaches well above 90%. */
export const SMALL_MODEL: Partial<TrainingHyperparameters> = { layerSizes: [784, 64, 32, 10], epochs: 2 }
export const SMALL_MODEL_SEED = 11

export const TEST_CACHE_DIR = join(tmpdir(), 'tessera-models-test-cache')

export async function smallModel (): Promise<MlpModel> {
  const { train } = loadMnist()
  const { record } = await loadOrTrainModel({ ...SMALL_MODEL, seed: SMALL_MODEL_SEED, cacheDir: TEST_CACHE_DIR, data: train })
  return record.model
}

/** Bytes of a float array, for bitwise comparison. */
export function bytesOf (values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
}
