/**
 * Worker thread that trains one model (see `loadOrTrainModels`): receives the data, seed and hyperparameters
 * as workerData and posts the trained result back once.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Dataset } from './mnist.js'
import { trainMlp } from './train.js'
import type { TrainingHyperparameters, TrainResult } from './train.js'

export interface TrainingWorkerData {
  hyperparameters: TrainingHyperparameters
  seed: number | string
  data: Dataset
}

export type TrainingWorkerResponse =
  | { result: TrainResult }
  | { error: { name: string, message: string } }

if (parentPort !== null) {
  const { hyperparameters, seed, data } = workerData as TrainingWorkerData
  let response: TrainingWorkerResponse
  try {
    response = { result: trainMlp(data, { ...hyperparameters, seed }) }
  } catch (err) {
    response = { error: { name: (err as Error).name, message: (err as Error).message } }
  }
  parentPort.postMessage(response)
}
