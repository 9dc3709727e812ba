/**
 * Checking a coordinator's and a run's options: every count and duration is a positive number, inputs and labels
 * fit the job. A bad option throws {@link InvalidRunOptionError} naming it.
 */
import { createPolicy } from '@tessera/scheduler'
import type { PlacementPolicy } from '@tessera/scheduler'
import {
  DEFAULT_BATCH_DEADLINE_MS, DEFAULT_BATCH_SIZE, DEFAULT_BATCHES_IN_FLIGHT, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CALLS_PER_PEER,
  DEFAULT_PROGRAM_TIMEOUT_MS, DEFAULT_UPLOAD_CONCURRENCY
} from './constants.js'
import { InvalidRunOptionError } from './errors.js'
import { noUploadProgress } from './progress.js'
import type { UploadProgressFactory } from './progress.js'
import type { RunSettings } from './run-context.js'
import type { RunJobOptions } from './run-options.js'

/** `value` when it is a finite number above 0. */
export function positiveNumber (value: number, what: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidRunOptionError(`${what} must be a positive number, got ${value}`)
  return value
}

/** `value` when it is a safe integer above 0. */
export function positiveInt (value: number, what: string): number {
  if (!(Number.isSafeInteger(value) && value > 0)) throw new InvalidRunOptionError(`${what} must be a positive integer, got ${value}`)
  return value
}

/** The settings every run of a coordinator shares. */
export type CoordinatorSettings = Omit<RunSettings, 'runId' | 'seed'>

/** The coordinator's settings from its options, defaults filled in. */
export function coordinatorSettings (init: { callTimeoutMs?: number, programTimeoutMs?: number, callsPerPeer?: number, batchDeadlineMs?: number, uploadConcurrency?: number, uploadProgress?: UploadProgressFactory }): CoordinatorSettings {
  return {
    callTimeoutMs: positiveInt(init.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, 'callTimeoutMs'),
    programTimeoutMs: positiveInt(init.programTimeoutMs ?? DEFAULT_PROGRAM_TIMEOUT_MS, 'programTimeoutMs'),
    callsPerPeer: positiveInt(init.callsPerPeer ?? DEFAULT_CALLS_PER_PEER, 'callsPerPeer'),
    batchDeadlineMs: positiveInt(init.batchDeadlineMs ?? DEFAULT_BATCH_DEADLINE_MS, 'batchDeadlineMs'),
    uploadConcurrency: positiveInt(init.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY, 'uploadConcurrency'),
    uploadProgress: init.uploadProgress ?? noUploadProgress
  }
}

/** A run's options, checked, with defaults filled in. */
export interface RunParameters {
  policy: PlacementPolicy
  seed: string
  /** Requests the run asks for (an open-loop run with a duration may start fewer: see {@link streamLimits}). */
  requests: number
  batchSize: number
  batchesInFlight: number
  replicas: number
  /** Input vectors in `inputs`. */
  vectors: number
}

/** Checks the run options that do not depend on the network. */
export function checkRunOptions (options: RunJobOptions): RunParameters {
  const requests = positiveInt(options.requests, 'requests')
  const batchSize = positiveInt(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize')
  const batchesInFlight = positiveInt(options.batchesInFlight ?? DEFAULT_BATCHES_IN_FLIGHT, 'batchesInFlight')
  const inputsPerVector = options.job.layers[0].inputs
  if (options.inputs.length === 0 || options.inputs.length % inputsPerVector !== 0) {
    throw new InvalidRunOptionError(`inputs hold ${options.inputs.length} values, not a whole number of ${inputsPerVector}-vectors`)
  }
  const vectors = options.inputs.length / inputsPerVector
  if (options.labels !== undefined && options.labels.length !== vectors) throw new InvalidRunOptionError(`${options.labels.length} labels for ${vectors} inputs`)
  const policy = typeof options.policy === 'string' ? createPolicy(options.policy) : options.policy
  const seed = String(options.seed ?? 'tessera')
  const replicas = positiveInt(options.replicas ?? 1, 'replicas')
  return { policy, seed, requests, batchSize, batchesInFlight, replicas, vectors }
}

/** How the request stream of a run stops: on a duration (closed loop), or after the requests that arrive within it (open loop). */
export interface StreamLimits {
  requests: number
  /** No batch starts after it aborts: the duration of a closed loop, or the caller's signal. */
  stopAt?: AbortSignal
  arrivalRps?: number
}

/**
 * Closed loop: no batch starts after the duration. Open loop: the requests that arrive within the duration are the
 * run's, each served however late (a backlog is the run's to work off, not a loss).
 */
export function streamLimits (options: Pick<RunJobOptions, 'durationMs' | 'arrivalRps' | 'signal'>, requests: number): StreamLimits {
  const openLoop = options.arrivalRps !== undefined
  const duration = options.durationMs === undefined || openLoop ? undefined : AbortSignal.timeout(positiveInt(options.durationMs, 'durationMs'))
  const stops = [duration, options.signal].filter((s): s is AbortSignal => s !== undefined)
  const stopAt = stops.length === 0 ? undefined : stops.length === 1 ? stops[0] : AbortSignal.any(stops)
  let limited = requests
  if (openLoop && options.durationMs !== undefined) {
    limited = Math.max(1, Math.min(requests, Math.floor((positiveNumber(options.arrivalRps as number, 'arrivalRps') * positiveInt(options.durationMs, 'durationMs')) / 1000)))
  }
  return {
    requests: limited,
    ...(stopAt !== undefined ? { stopAt } : {}),
    ...(options.arrivalRps !== undefined ? { arrivalRps: positiveNumber(options.arrivalRps, 'arrivalRps') } : {})
  }
}
