/**
 * Worker thread of the accuracy sweep: receives the model and the held-out digits once (workerData), then runs
 * the jobs the main thread sends one at a time and posts each job's accuracies back.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createWasmKernelSync } from '@tessera/crossbar'
import { runAccuracyJob } from './accuracy-job.js'
import type { AccuracyJob, ConditionResult } from './accuracy-job.js'
import type { MlpModel } from './mlp.js'
import type { Dataset } from './mnist.js'

/** What the main thread passes to each worker. */
export interface AccuracyWorkerData {
  model: MlpModel
  data: Dataset
  timesSeconds: number[]
}

/** Main thread → worker. */
export interface AccuracyWorkerRequest {
  jobIndex: number
  job: AccuracyJob
}

/** Worker → main thread. */
export type AccuracyWorkerResponse =
  | { jobIndex: number, results: ConditionResult[] }
  | { jobIndex: number, error: { name: string, message: string } }

if (parentPort !== null) {
  const port = parentPort
  const { model, data, timesSeconds } = workerData as AccuracyWorkerData
  const kernel = createWasmKernelSync()
  port.on('message', (request: AccuracyWorkerRequest) => {
    let response: AccuracyWorkerResponse
    try {
      response = { jobIndex: request.jobIndex, results: runAccuracyJob(model, data, request.job, timesSeconds, kernel) }
    } catch (err) {
      const error = err as Error
      response = { jobIndex: request.jobIndex, error: { name: error.name, message: error.message } }
    }
    port.postMessage(response)
  })
}
