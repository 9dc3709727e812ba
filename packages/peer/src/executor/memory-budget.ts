/**
 * `--max-memory-mib`: a bound on what a node's tiles, upload buffers and execute queue may take. The tiles are
 * counted once at start (a node whose tiles alone exceed the bound does not start); the rest of the bound is shared
 * by uploads in progress (a shard's weights are held from its `ProgramBegin` until they are programmed) and by the
 * inputs and outputs of executes posted to the executor. An upload that does not fit is refused with
 * `InsufficientCapacityError` (a coordinator places the shard elsewhere), an execute with `BusyError` (it retries).
 * The runtime's own memory (V8 heap, libp2p) is outside the bound.
 */
import { BusyError, FLOAT32_BYTES, InsufficientCapacityError } from '@tessera/wire'
import { InvalidNodeOptionError } from '../errors.js'
import type { NodeExecutor } from './node-executor.js'
import type { ExecuteReply } from './messages.js'
import type { Seed, ShardStatus } from './shard-executor.js'
import type { TransferOptions } from './worker-executor.js'
import type { DeviceProfile, ExecuteOptions } from '@tessera/crossbar'

/**
 * Bytes a programmed tile takes per cell. Measured on this project's kernels: a 256×256 PCM tile (the heaviest
 * preset: conductances, drift and noise state in the kernel's WebAssembly memory) took 38 B per cell, RRAM presets
 * about 20; rounded up so the bound holds for every preset.
 */
export const TILE_BYTES_PER_CELL = 40

const MIB = 1024 * 1024

/** What `tiles` tiles of `profile` take. */
export function tileMemoryBytes (profile: DeviceProfile, tiles: number): number {
  return tiles * profile.geometry.rows * profile.geometry.cols * TILE_BYTES_PER_CELL
}

/** Bytes left for uploads and executes once the tiles are counted; throws when the tiles alone do not fit. */
export function workingMemoryBytes (maxMemoryMiB: number, profile: DeviceProfile, tiles: number): number {
  const limit = maxMemoryMiB * MIB
  const tileBytes = tileMemoryBytes(profile, tiles)
  if (tileBytes >= limit) {
    const fit = Math.floor(limit / tileMemoryBytes(profile, 1))
    throw new InvalidNodeOptionError(`${tiles} tiles of ${profile.geometry.rows}×${profile.geometry.cols} take ${Math.ceil(tileBytes / MIB)} MiB, not less than --max-memory-mib ${maxMemoryMiB}; at most ${Math.max(0, fit - 1)} tiles leave room for uploads and executes`)
  }
  return limit - tileBytes
}

/** A byte budget taken and given back. */
export class MemoryBudget {
  private used = 0
  constructor (readonly limitBytes: number) {}

  /** Takes `bytes` if they fit; whether they did. */
  take (bytes: number): boolean {
    if (this.used + bytes > this.limitBytes) return false
    this.used += bytes
    return true
  }

  give (bytes: number): void {
    this.used = Math.max(0, this.used - bytes)
  }

  usedBytes (): number {
    return this.used
  }
}

/** An executor whose uploads and executes are held to a {@link MemoryBudget}. */
export class BudgetedExecutor implements NodeExecutor {
  readonly profile: DeviceProfile
  readonly tilesTotal: number
  /** Upload bytes held per shard from reserve until programmed or released. */
  private readonly uploads = new Map<string, number>()

  constructor (private readonly inner: NodeExecutor, readonly budget: MemoryBudget) {
    this.profile = inner.profile
    this.tilesTotal = inner.tilesTotal
  }

  async reserve (shardId: string, rows: number, cols: number): Promise<{ tilesReserved: number }> {
    const bytes = rows * cols * FLOAT32_BYTES
    if (!this.uploads.has(shardId)) {
      if (!this.budget.take(bytes)) {
        throw new InsufficientCapacityError(`a ${rows}×${cols} upload needs ${bytes} bytes; ${this.budget.limitBytes - this.budget.usedBytes()} of this node's memory bound are free`)
      }
      this.uploads.set(shardId, bytes)
    }
    try {
      return await this.inner.reserve(shardId, rows, cols)
    } catch (err) {
      this.giveUpload(shardId)
      throw err
    }
  }

  async program (shardId: string, weights: Float32Array, seed: Seed, tSeconds?: number, options?: TransferOptions): Promise<{ tilesUsed: number }> {
    try {
      return await this.inner.program(shardId, weights, seed, tSeconds, options)
    } finally {
      // Programmed (the weights became tile state, counted at start) or failed (released next): either way the
      // upload buffer is gone.
      this.giveUpload(shardId)
    }
  }

  async execute (shardId: string, x: Float32Array, batch: number, executeOptions?: ExecuteOptions, options?: TransferOptions): Promise<ExecuteReply> {
    const cols = this.inner.shapeOf(shardId)?.cols ?? 0
    const bytes = x.byteLength + batch * cols * FLOAT32_BYTES
    if (!this.budget.take(bytes)) {
      throw new BusyError(`an execute needs ${bytes} bytes; ${this.budget.limitBytes - this.budget.usedBytes()} of this node's memory bound are free`)
    }
    try {
      return await this.inner.execute(shardId, x, batch, executeOptions, options)
    } finally {
      this.budget.give(bytes)
    }
  }

  async release (shardId: string): Promise<{ tilesFreed: number }> {
    try {
      return await this.inner.release(shardId)
    } finally {
      this.giveUpload(shardId)
    }
  }

  shapeOf (shardId: string): { rows: number, cols: number } | undefined { return this.inner.shapeOf(shardId) }
  queueDepth (): number { return this.inner.queueDepth() }
  throughputGflops (): number { return this.inner.throughputGflops() }
  cachedStatus (): ShardStatus { return this.inner.cachedStatus() }
  async status (): Promise<ShardStatus> { return await this.inner.status() }
  async setEmulatedMacsPerSecond (macsPerSecond: number): Promise<void> { await this.inner.setEmulatedMacsPerSecond(macsPerSecond) }
  async stop (): Promise<void> { await this.inner.stop() }

  private giveUpload (shardId: string): void {
    const bytes = this.uploads.get(shardId)
    if (bytes === undefined) return
    this.uploads.delete(shardId)
    this.budget.give(bytes)
  }
}
