/**
 * The accuracy sweep behind `tessera accuracy`: a trained model on every (device preset, tile geometry, device
 * seed), read at several times after programming with and without global drift compensation. Each
 * (preset, geometry, seed) is programmed once and read at every time. Jobs run on worker threads (one per core
 * by default); every job is deterministic on its own, so the result does not depend on which worker ran it.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { PRESET_NAMES, createWasmKernelSync } from '@tessera/crossbar'
import type { PresetName } from '@tessera/crossbar'
import { jobConditions, runAccuracyJob } from './accuracy-job.js'
import type { AccuracyJob, ConditionResult } from './accuracy-job.js'
import type { AccuracyWorkerData, AccuracyWorkerRequest, AccuracyWorkerResponse } from './accuracy-worker.js'
import { DEFAULT_ACCURACY_DEVICE_SEEDS, DEFAULT_ACCURACY_GEOMETRIES, DEFAULT_ACCURACY_TIMES_SECONDS } from './constants.js'
import { InvalidHyperparametersError, ModelWorkerError } from './errors.js'
import { checkDatasetFits, validateModel } from './mlp.js'
import type { MlpModel } from './mlp.js'
import type { Dataset } from './mnist.js'

/** One row of the report: a (profile, geometry, time, compensation) condition averaged over device seeds. */
export interface AccuracyRow {
  profile: PresetName
  geometry: number
  tSeconds: number
  driftCompensation: boolean
  /** Mean accuracy over the device seeds (fraction). */
  accuracyMean: number
  /** Sample standard deviation over the device seeds (fraction; 0 for one seed). */
  accuracyStd: number
  /** Device seeds averaged. */
  seeds: number
}

/** A row with the held-out cross-entropy beside the accuracy. */
export interface AccuracySweepRow extends AccuracyRow {
  /** Mean over device seeds of the mean softmax cross-entropy (nats). */
  crossEntropyMean: number
  crossEntropyStd: number
}

export interface AccuracySweepInit {
  model: MlpModel
  /** The digits to classify (the held-out MNIST subset). */
  data: Dataset
  /** Device presets (default all four). */
  presets?: readonly PresetName[]
  /** Square tile sizes (default 128, 256, 512). */
  geometries?: readonly number[]
  /** Times after programming, increasing (default 1 s, 1 h, 1 day, 1 year). */
  timesSeconds?: readonly number[]
  /** Device seeds per (preset, geometry) (default 5). */
  deviceSeeds?: number
  /** Worker threads (default: one per core, at most the number of jobs); 0 runs every job in this thread. */
  workers?: number
  /** Called after each finished job. */
  onProgress?: (jobsDone: number, jobsTotal: number) => void
}

export interface AccuracySweepResult {
  rows: AccuracySweepRow[]
  /** Each job's result per condition (see `jobConditions`), key `preset/geometry/seedIndex`. */
  perSeed: Record<string, ConditionResult[]>
  jobs: number
  workers: number
  elapsedMs: number
}

function mean (values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sampleStd (values: readonly number[]): number {
  if (values.length < 2) return 0
  const m = mean(values)
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) * (v - m), 0) / (values.length - 1))
}

/**
 * Runs the sweep.
 *
 * @example
 * ```ts
 * const { rows } = await runAccuracySweep({ model, data: loadMnist().heldOut, presets: ['pcm'], geometries: [256] })
 * ```
 */
export async function runAccuracySweep (init: AccuracySweepInit): Promise<AccuracySweepResult> {
  const started = performance.now()
  validateModel(init.model)
  checkDatasetFits(init.model, init.data)
  const presets = init.presets ?? PRESET_NAMES
  const geometries = init.geometries ?? DEFAULT_ACCURACY_GEOMETRIES
  const timesSeconds = [...(init.timesSeconds ?? DEFAULT_ACCURACY_TIMES_SECONDS)]
  const seeds = init.deviceSeeds ?? DEFAULT_ACCURACY_DEVICE_SEEDS
  if (presets.length === 0 || geometries.length === 0 || timesSeconds.length === 0) throw new InvalidHyperparametersError('the sweep needs at least one preset, geometry and time')
  if (!Number.isInteger(seeds) || seeds < 1) throw new InvalidHyperparametersError(`deviceSeeds must be a positive integer, got ${seeds}`)
  if (timesSeconds.some((t, i) => !(t >= 0) || (i > 0 && !(t > timesSeconds[i - 1])))) {
    throw new InvalidHyperparametersError(`timesSeconds must be non-negative and increasing, got [${timesSeconds.join(', ')}]`)
  }
  for (const preset of presets) {
    if (!PRESET_NAMES.includes(preset)) throw new InvalidHyperparametersError(`unknown preset ${String(preset)}; known: ${PRESET_NAMES.join(', ')}`)
  }
  for (const geometry of geometries) {
    if (!Number.isInteger(geometry) || geometry < 1) throw new InvalidHyperparametersError(`geometry must be a positive integer, got ${geometry}`)
  }

  const jobs: AccuracyJob[] = []
  for (const preset of presets) {
    for (const geometry of geometries) {
      for (let seedIndex = 0; seedIndex < seeds; seedIndex++) jobs.push({ preset, geometry, seedIndex })
    }
  }
  const workers = Math.min(init.workers ?? availableParallelism(), jobs.length)
  if (!Number.isInteger(workers) || workers < 0) throw new InvalidHyperparametersError(`workers must be a non-negative integer, got ${init.workers}`)
  const results: ConditionResult[][] = new Array(jobs.length)
  let done = 0
  const finished = (): void => {
    done++
    init.onProgress?.(done, jobs.length)
  }

  if (workers === 0) {
    const kernel = createWasmKernelSync()
    for (let j = 0; j < jobs.length; j++) {
      results[j] = runAccuracyJob(init.model, init.data, jobs[j], timesSeconds, kernel)
      finished()
    }
  } else {
    await runOnWorkers(init, jobs, timesSeconds, workers, results, finished)
  }

  const conditions = jobConditions(timesSeconds)
  const rows: AccuracySweepRow[] = []
  const perSeed: Record<string, ConditionResult[]> = {}
  jobs.forEach((job, j) => { perSeed[`${job.preset}/${job.geometry}/${job.seedIndex}`] = results[j] })
  for (const preset of presets) {
    for (const geometry of geometries) {
      const own = jobs.map((job, j) => ({ job, j })).filter(({ job }) => job.preset === preset && job.geometry === geometry)
      conditions.forEach((condition, c) => {
        // From counts, so identical seeds give exactly their accuracy and a zero spread.
        const correct = own.map(({ j }) => results[j][c].correct)
        const crossEntropies = own.map(({ j }) => results[j][c].crossEntropy)
        rows.push({
          profile: preset,
          geometry,
          tSeconds: condition.tSeconds,
          driftCompensation: condition.driftCompensation,
          accuracyMean: correct.reduce((sum, v) => sum + v, 0) / (correct.length * init.data.count),
          accuracyStd: sampleStd(correct) / init.data.count,
          seeds: correct.length,
          crossEntropyMean: mean(crossEntropies),
          crossEntropyStd: sampleStd(crossEntropies)
        })
      })
    }
  }
  return { rows, perSeed, jobs: jobs.length, workers, elapsedMs: performance.now() - started }
}

function workerUrl (): URL {
  // Under the `development` condition this module runs from src/*.ts through tsx; the worker must match.
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
  return new URL(`./accuracy-worker.${extension}`, import.meta.url)
}

async function runOnWorkers (
  init: AccuracySweepInit, jobs: AccuracyJob[], timesSeconds: number[], count: number, results: ConditionResult[][], finished: () => void
): Promise<void> {
  const workerData: AccuracyWorkerData = { model: init.model, data: init.data, timesSeconds }
  const pool = Array.from({ length: count }, () => new Worker(workerUrl(), { workerData }))
  let next = 0
  try {
    await new Promise<void>((resolve, reject) => {
      let outstanding = 0
      const dispatch = (worker: Worker): void => {
        if (next >= jobs.length) {
          if (outstanding === 0) resolve()
          return
        }
        const request: AccuracyWorkerRequest = { jobIndex: next, job: jobs[next] }
        next++
        outstanding++
        worker.postMessage(request)
      }
      for (const worker of pool) {
        worker.on('message', (response: AccuracyWorkerResponse) => {
          outstanding--
          if ('error' in response) {
            const job = jobs[response.jobIndex]
            reject(new ModelWorkerError(`${job.preset} ${job.geometry}×${job.geometry} seed ${job.seedIndex} failed: ${response.error.name}: ${response.error.message}`))
            return
          }
          results[response.jobIndex] = response.results
          finished()
          dispatch(worker)
        })
        worker.on('error', (err) => reject(new ModelWorkerError(`accuracy worker failed: ${err.message}`, { cause: err })))
        worker.on('exit', (code) => {
          if (code !== 0) reject(new ModelWorkerError(`accuracy worker exited with code ${code}`))
        })
      }
      for (const worker of pool) dispatch(worker)
    })
  } finally {
    await Promise.all(pool.map(async (worker) => worker.terminate()))
  }
}
