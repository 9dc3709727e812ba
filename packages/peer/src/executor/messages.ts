import type { Seed, ShardStatus } from './shard-executor.js'
import type { DeviceProfile, ExecuteOptions, ExecuteStats } from '@tessera/crossbar'

/** Which MVM kernel the worker's tile pool uses. */
export type KernelChoice = 'default' | 'reference'

/** `workerData` of the executor worker. */
export interface ExecutorWorkerData {
  profile: DeviceProfile
  tiles: number
  kernel: KernelChoice
  /** Run a short MVM benchmark at start to seed the throughput figure. */
  calibrate: boolean
  /**
   * Emulation of a slower host: each execute takes at least `macs ÷ emulatedMacsPerSecond` seconds, the worker
   * blocked meanwhile as a slower device would be, and reports that as its device time (0 or absent: no cap).
   */
  emulatedMacsPerSecond?: number
}

export type ExecutorRequest =
  | { id: number, op: 'reserve', shardId: string, rows: number, cols: number }
  | { id: number, op: 'program', shardId: string, weights: Float32Array, seed: Seed, tSeconds?: number }
  | { id: number, op: 'execute', shardId: string, x: Float32Array, batch: number, options: ExecuteOptions }
  | { id: number, op: 'release', shardId: string }
  | { id: number, op: 'status' }
  | { id: number, op: 'setEmulatedRate', macsPerSecond: number }

export interface ExecuteReply {
  output: Float32Array
  stats: ExecuteStats
  /** Wall-clock time the worker spent in the MVMs (ms). */
  wallMs: number
}

/** An error as it crosses the thread boundary: enough to rebuild the wire error class. */
export interface SerializedError {
  name: string
  code: unknown
  message: string
}

export type ExecutorResponse =
  | { id: number, ok: true, value: unknown, throughputGflops: number }
  | { id: number, ok: false, error: SerializedError, throughputGflops: number }

export type ExecutorStartup =
  | { ready: true, throughputGflops: number, status: ShardStatus }
  | { ready: false, error: SerializedError }
