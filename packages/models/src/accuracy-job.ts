/**
 * One unit of the accuracy sweep: program a model once on tiles of one (preset, geometry, device seed) and read
 * it at every requested time, with and without global drift compensation. Shared by the in-process path and
 * the worker threads, so both compute bit-identical results.
 */
import { createDeviceProfile } from '@tessera/crossbar'
import type { MvmKernel, PresetName } from '@tessera/crossbar'
import { createCrossbarMlp } from './crossbar-mlp.js'
import { argmaxRows, meanCrossEntropy } from './mlp.js'
import type { MlpModel } from './mlp.js'
import type { Dataset } from './mnist.js'

export interface AccuracyJob {
  preset: PresetName
  /** Square tile size. */
  geometry: number
  /** Index of the device seed, 0 … seeds − 1. */
  seedIndex: number
}

/** The device seed of a job (independent of the preset so that seed i means the same draw stream everywhere). */
export function deviceSeed (seedIndex: number): string {
  return `accuracy-device-${seedIndex}`
}

/** Conditions read per job, in this order: for each time, without then with drift compensation. */
export function jobConditions (timesSeconds: readonly number[]): Array<{ tSeconds: number, driftCompensation: boolean }> {
  return timesSeconds.flatMap((tSeconds) => [false, true].map((driftCompensation) => ({ tSeconds, driftCompensation })))
}

/** What one job measured under one condition. */
export interface ConditionResult {
  /** Images classified correctly. */
  correct: number
  /** Fraction of images classified correctly. */
  accuracy: number
  /**
   * Mean softmax cross-entropy of the labels (nats). Top-1 accuracy ignores a common scale of the logits;
   * this does not, so it shows what uncompensated drift (which shrinks every layer's outputs) costs.
   */
  crossEntropy: number
}

/**
 * Runs one job and returns the result per condition (see `jobConditions`). Times are read in increasing order
 * so every block recomputes its drifted conductances once per time.
 */
export function runAccuracyJob (model: MlpModel, data: Dataset, job: AccuracyJob, timesSeconds: readonly number[], kernel?: MvmKernel): ConditionResult[] {
  const profile = createDeviceProfile(job.preset, { rows: job.geometry, cols: job.geometry })
  const onTiles = createCrossbarMlp({ model, profile, seed: deviceSeed(job.seedIndex), kernel })
  const classes = model.layerSizes[model.layerSizes.length - 1]
  try {
    return jobConditions(timesSeconds).map((condition) => {
      const logits = onTiles.logits(data, condition)
      const predictions = argmaxRows(logits, classes)
      let correct = 0
      for (let i = 0; i < data.count; i++) if (predictions[i] === data.labels[i]) correct++
      return { correct, accuracy: correct / data.count, crossEntropy: meanCrossEntropy(logits, data.labels, classes) }
    })
  } finally {
    onTiles.release()
  }
}
