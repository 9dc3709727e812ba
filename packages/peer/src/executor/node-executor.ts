import type { ExecuteReply } from './messages.js'
import type { Seed, ShardStatus } from './shard-executor.js'
import type { TransferOptions } from './worker-executor.js'
import type { DeviceProfile, ExecuteOptions } from '@tessera/crossbar'

/**
 * What a node's shard service, capacity record and metrics need from its executor: one worker thread
 * (`WorkerExecutor`) or several with the shards spread over them (`ExecutorPool`).
 */
export interface NodeExecutor {
  readonly profile: DeviceProfile
  readonly tilesTotal: number
  shapeOf(shardId: string): { rows: number, cols: number } | undefined
  queueDepth(): number
  throughputGflops(): number
  cachedStatus(): ShardStatus
  reserve(shardId: string, rows: number, cols: number): Promise<{ tilesReserved: number }>
  program(shardId: string, weights: Float32Array, seed: Seed, tSeconds?: number, options?: TransferOptions): Promise<{ tilesUsed: number }>
  execute(shardId: string, x: Float32Array, batch: number, executeOptions?: ExecuteOptions, options?: TransferOptions): Promise<ExecuteReply>
  release(shardId: string): Promise<{ tilesFreed: number }>
  status(): Promise<ShardStatus>
  setEmulatedMacsPerSecond(macsPerSecond: number): Promise<void>
  stop(): Promise<void>
}
