/**
 * A node's executor on several worker threads (`--max-cpu`): the node's tiles are split over the threads and each
 * shard lives on one of them, so executes of shards on different threads run in parallel.
 */
import { InsufficientCapacityError, UnknownShardError } from '@tessera/wire'
import { InvalidNodeOptionError } from '../errors.js'
import { WorkerExecutor } from './worker-executor.js'
import type { NodeExecutor } from './node-executor.js'
import type { ExecuteReply } from './messages.js'
import type { Seed, ShardStatus } from './shard-executor.js'
import type { TransferOptions, WorkerExecutorInit } from './worker-executor.js'
import type { DeviceProfile, ExecuteOptions } from '@tessera/crossbar'

export interface ExecutorPoolInit extends WorkerExecutorInit {
  /** Worker threads (default 1); never more than there are tiles. */
  threads?: number
}

/** Tiles of each of `threads` threads: as even as possible, the first ones taking the remainder. */
export function splitTiles (tiles: number, threads: number): number[] {
  const n = Math.min(threads, tiles)
  return Array.from({ length: n }, (_, i) => Math.floor(tiles / n) + (i < tiles % n ? 1 : 0))
}

/**
 * The thread a new shard goes to: among the threads with enough free tiles (after reservations still in flight),
 * the one holding the fewest shards, then the one with the most free tiles, then the first. `undefined` when none
 * has room.
 */
export function pickThread (threads: ReadonlyArray<{ tilesFree: number, shardsHeld: number }>, tilesNeeded: number): number | undefined {
  let best: number | undefined
  threads.forEach((t, i) => {
    if (t.tilesFree < tilesNeeded) return
    const b = best === undefined ? undefined : threads[best]
    if (b === undefined || t.shardsHeld < b.shardsHeld || (t.shardsHeld === b.shardsHeld && t.tilesFree > b.tilesFree)) best = i
  })
  return best
}

/** Several {@link WorkerExecutor}s behind the one executor surface a node uses. */
export class ExecutorPool implements NodeExecutor {
  readonly profile: DeviceProfile
  readonly tilesTotal: number
  private readonly threads: WorkerExecutor[]
  /** Shard id → thread index, from reservation to release. */
  private readonly placement = new Map<string, number>()
  /** Tiles and shards of reservations posted to a thread and not yet answered. */
  private readonly pending: Array<{ tiles: number, shards: number }>

  private constructor (threads: WorkerExecutor[], profile: DeviceProfile) {
    this.threads = threads
    this.profile = profile
    this.tilesTotal = threads.reduce((sum, t) => sum + t.tilesTotal, 0)
    this.pending = threads.map(() => ({ tiles: 0, shards: 0 }))
  }

  /** Starts `threads` worker threads over the node's tiles; throws {@link InvalidNodeOptionError} on a bad count. */
  static async start (init: ExecutorPoolInit): Promise<ExecutorPool> {
    const threads = init.threads ?? 1
    if (!Number.isSafeInteger(threads) || threads < 1) throw new InvalidNodeOptionError(`executor threads must be a positive integer, got ${threads}`)
    const started = await Promise.allSettled(splitTiles(init.tiles, threads).map(async (tiles) => await WorkerExecutor.start({ ...init, tiles })))
    const ok = started.flatMap((s) => s.status === 'fulfilled' ? [s.value] : [])
    const failed = started.find((s) => s.status === 'rejected')
    if (failed !== undefined) {
      await Promise.all(ok.map(async (t) => { await t.stop() }))
      throw failed.reason
    }
    return new ExecutorPool(ok, init.profile)
  }

  /** Worker threads of the pool. */
  threadCount (): number {
    return this.threads.length
  }

  shapeOf (shardId: string): { rows: number, cols: number } | undefined {
    const i = this.placement.get(shardId)
    return i === undefined ? undefined : this.threads[i].shapeOf(shardId)
  }

  queueDepth (): number {
    return this.threads.reduce((sum, t) => sum + t.queueDepth(), 0)
  }

  /** The node's throughput: its threads run side by side, so their measured rates add up. */
  throughputGflops (): number {
    return this.threads.reduce((sum, t) => sum + t.throughputGflops(), 0)
  }

  cachedStatus (): ShardStatus {
    return sumStatus(this.threads.map((t) => t.cachedStatus()))
  }

  async status (): Promise<ShardStatus> {
    return sumStatus(await Promise.all(this.threads.map(async (t) => await t.status())))
  }

  async reserve (shardId: string, rows: number, cols: number): Promise<{ tilesReserved: number }> {
    const held = this.placement.get(shardId)
    // The thread holding it answers with DuplicateShardError.
    if (held !== undefined) return await this.threads[held].reserve(shardId, rows, cols)
    const g = this.profile.geometry
    const needed = Number.isSafeInteger(rows) && Number.isSafeInteger(cols) && rows > 0 && cols > 0 ? Math.ceil(rows / g.rows) * Math.ceil(cols / g.cols) : 1
    const view = this.threads.map((t, i) => {
      const s = t.cachedStatus()
      return { tilesFree: s.tilesFree - this.pending[i].tiles, shardsHeld: s.shardsHeld + this.pending[i].shards }
    })
    const i = pickThread(view, needed)
    if (i === undefined) {
      const free = view.reduce((sum, v) => sum + Math.max(0, v.tilesFree), 0)
      const most = Math.max(...view.map((v) => v.tilesFree))
      throw new InsufficientCapacityError(`a ${rows}×${cols} shard needs ${needed} tiles on one executor thread; ${free} free in all, at most ${most} on one`)
    }
    this.placement.set(shardId, i)
    this.pending[i].tiles += needed
    this.pending[i].shards++
    try {
      return await this.threads[i].reserve(shardId, rows, cols)
    } catch (err) {
      this.placement.delete(shardId)
      throw err
    } finally {
      this.pending[i].tiles -= needed
      this.pending[i].shards--
    }
  }

  async program (shardId: string, weights: Float32Array, seed: Seed, tSeconds?: number, options: TransferOptions = {}): Promise<{ tilesUsed: number }> {
    return await this.threadOf(shardId, 'reserved').program(shardId, weights, seed, tSeconds, options)
  }

  async execute (shardId: string, x: Float32Array, batch: number, executeOptions: ExecuteOptions = {}, options: TransferOptions = {}): Promise<ExecuteReply> {
    return await this.threadOf(shardId, 'programmed').execute(shardId, x, batch, executeOptions, options)
  }

  async release (shardId: string): Promise<{ tilesFreed: number }> {
    const value = await this.threadOf(shardId, 'held').release(shardId)
    this.placement.delete(shardId)
    return value
  }

  /** Every thread's emulated rate cap (each thread is one emulated core). */
  async setEmulatedMacsPerSecond (macsPerSecond: number): Promise<void> {
    await Promise.all(this.threads.map(async (t) => { await t.setEmulatedMacsPerSecond(macsPerSecond) }))
  }

  async stop (): Promise<void> {
    await Promise.all(this.threads.map(async (t) => { await t.stop() }))
  }

  private threadOf (shardId: string, state: string): WorkerExecutor {
    const i = this.placement.get(shardId)
    if (i === undefined) throw new UnknownShardError(`shard ${JSON.stringify(shardId)} is not ${state} here`)
    return this.threads[i]
  }
}

function sumStatus (all: ShardStatus[]): ShardStatus {
  const first = all[0]
  return {
    ...first,
    tilesTotal: all.reduce((s, x) => s + x.tilesTotal, 0),
    tilesFree: all.reduce((s, x) => s + x.tilesFree, 0),
    shardsHeld: all.reduce((s, x) => s + x.shardsHeld, 0),
    cellsUsed: all.reduce((s, x) => s + x.cellsUsed, 0),
    cellsTotal: all.reduce((s, x) => s + x.cellsTotal, 0)
  }
}
