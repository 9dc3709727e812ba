/**
 * The on-disk model cache. A model file is named after its cache key (a hash of layer sizes, hyperparameters,
 * seed, the training data's fingerprint and the format version), so a changed setting never loads a stale
 * model, and repeated runs and tests skip training. Several missing models train at once on worker threads.
 */
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { DEFAULT_TRAINING_SEED } from './constants.js'
import { InvalidHyperparametersError, ModelWorkerError } from './errors.js'
import { datasetFingerprint, decodeModel, modelCacheKey, saveModel } from './model-file.js'
import type { ModelRecord } from './model-file.js'
import type { Dataset } from './mnist.js'
import { resolveHyperparameters, trainMlp } from './train.js'
import type { TrainingHyperparameters, TrainInit } from './train.js'
import type { TrainingWorkerData, TrainingWorkerResponse } from './training-worker.js'

export interface CachedModelInit extends TrainInit {
  /** Directory of cached model files (created when missing). */
  cacheDir: string
  /** Training data. */
  data: Dataset
}

export interface CachedModel {
  readonly record: ModelRecord
  /** Whether the model came from the cache (false: trained now and saved). */
  readonly fromCache: boolean
  /** The model file. */
  readonly path: string
}

/** Path of the cache file for a model. */
export function modelCachePath (cacheDir: string, hyperparameters: TrainingHyperparameters, seed: number | string, fingerprint: string): string {
  return join(cacheDir, `mlp-${modelCacheKey(hyperparameters, seed, fingerprint)}.tsrmlp`)
}

/** Reads the cached model for this request, or returns undefined when there is no file. */
async function readCached (cacheDir: string, hyperparameters: TrainingHyperparameters, seed: number | string, fingerprint: string): Promise<CachedModel | undefined> {
  const path = modelCachePath(cacheDir, hyperparameters, seed, fingerprint)
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await readFile(path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return { record: decodeModel(bytes, { hyperparameters, seed, datasetFingerprint: fingerprint }), fromCache: true, path }
}

/**
 * Returns the model for these hyperparameters and seed from the cache, or trains and caches it (in this
 * thread). A corrupt or mismatching cache file throws InvalidModelFileError (delete the file to retrain) rather
 * than being overwritten silently.
 */
export async function loadOrTrainModel (init: CachedModelInit): Promise<CachedModel> {
  const hyperparameters = resolveHyperparameters(init)
  const seed = init.seed ?? DEFAULT_TRAINING_SEED
  const fingerprint = datasetFingerprint(init.data)
  const cached = await readCached(init.cacheDir, hyperparameters, seed, fingerprint)
  if (cached !== undefined) return cached
  const trained = trainMlp(init.data, { ...hyperparameters, seed, onEpoch: init.onEpoch })
  const record: ModelRecord = { ...trained, datasetFingerprint: fingerprint }
  const path = modelCachePath(init.cacheDir, hyperparameters, seed, fingerprint)
  await saveModel(path, record)
  return { record, fromCache: false, path }
}

/** One model to load or train: its seed and hyperparameters (defaults filled in). */
export interface ModelRequest extends Partial<TrainingHyperparameters> {
  seed?: number | string
}

export interface LoadOrTrainModelsInit {
  cacheDir: string
  data: Dataset
  /** Worker threads for the models that must be trained (default: one per core); 0 trains in this thread. */
  workers?: number
  /** Called when a model starts training (it was not in the cache). */
  onTrainingStart?: (index: number) => void
}

/**
 * Loads several models from the cache and trains the missing ones concurrently, each on its own worker thread
 * (training is deterministic, so a model trained on a worker is bitwise the one trained in process).
 */
export async function loadOrTrainModels (requests: readonly ModelRequest[], init: LoadOrTrainModelsInit): Promise<CachedModel[]> {
  const fingerprint = datasetFingerprint(init.data)
  const resolved = requests.map((request) => ({ hyperparameters: resolveHyperparameters(request), seed: request.seed ?? DEFAULT_TRAINING_SEED }))
  const results: Array<CachedModel | undefined> = await Promise.all(resolved.map(async (r) => readCached(init.cacheDir, r.hyperparameters, r.seed, fingerprint)))
  const missing = results.flatMap((result, index) => result === undefined ? [index] : [])
  const workers = Math.min(init.workers ?? availableParallelism(), missing.length)
  if (!Number.isInteger(workers) || workers < 0) throw new InvalidHyperparametersError(`workers must be a non-negative integer, got ${init.workers}`)
  if (workers === 0) {
    for (const index of missing) {
      init.onTrainingStart?.(index)
      results[index] = await loadOrTrainModel({ ...resolved[index].hyperparameters, seed: resolved[index].seed, cacheDir: init.cacheDir, data: init.data })
    }
  } else {
    let next = 0
    const lane = async (): Promise<void> => {
      while (next < missing.length) {
        const index = missing[next++]
        init.onTrainingStart?.(index)
        const record = await trainOnWorker({ hyperparameters: resolved[index].hyperparameters, seed: resolved[index].seed, data: init.data })
        const path = modelCachePath(init.cacheDir, record.hyperparameters, record.seed, fingerprint)
        await saveModel(path, { ...record, datasetFingerprint: fingerprint })
        results[index] = { record: { ...record, datasetFingerprint: fingerprint }, fromCache: false, path }
      }
    }
    await Promise.all(Array.from({ length: workers }, lane))
  }
  return results as CachedModel[]
}

function trainingWorkerUrl (): URL {
  // Under the `development` condition this module runs from src/*.ts through tsx; the worker must match.
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
  return new URL(`./training-worker.${extension}`, import.meta.url)
}

async function trainOnWorker (workerData: TrainingWorkerData): Promise<Omit<ModelRecord, 'datasetFingerprint'>> {
  const worker = new Worker(trainingWorkerUrl(), { workerData })
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', (response: TrainingWorkerResponse) => {
        if ('error' in response) reject(new ModelWorkerError(`training on a worker failed: ${response.error.name}: ${response.error.message}`))
        else resolve(response.result)
      })
      worker.once('error', reject)
      worker.once('exit', (code) => reject(new ModelWorkerError(`training worker exited with code ${code} before answering`)))
    })
  } finally {
    await worker.terminate()
  }
}
