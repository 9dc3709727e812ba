import { Worker } from 'node:worker_threads'
import { logger } from '@libp2p/logger'
import { ErrorCode, InternalError, errorFromReply } from '@tessera/wire'
import { ExecutorStoppedError, InvalidNodeOptionError } from '../errors.js'
import type { ExecuteReply, ExecutorRequest, ExecutorResponse, ExecutorStartup, KernelChoice, SerializedError } from './messages.js'
import type { Seed, ShardStatus } from './shard-executor.js'
import type { DeviceProfile, ExecuteOptions } from '@tessera/crossbar'

const log = logger('tessera:peer:executor')

export interface WorkerExecutorInit {
  profile: DeviceProfile
  tiles: number
  /** MVM kernel of the pool (default `'default'`: WASM SIMD where available). */
  kernel?: KernelChoice
  /** Benchmark the kernel at start to seed the advertised throughput (default true). */
  calibrate?: boolean
  /** Emulated compute rate cap, MAC/s (default none): see `ExecutorWorkerData.emulatedMacsPerSecond`. */
  emulatedMacsPerSecond?: number
}

export interface TransferOptions {
  /**
   * Hand the array's buffer to the worker instead of copying it (default false). The caller's array is detached
   * afterwards; only pass true for buffers nobody else reads, such as freshly decoded network payloads.
   */
  transfer?: boolean
}

interface Pending {
  resolve(value: unknown): void
  reject(err: Error): void
}

/**
 * The executor as seen from the main thread: a worker thread that owns the tile pool and a {@link ShardExecutor},
 * driven by messages with transferable buffers. Requests are served in order; `queueDepth()` counts those posted
 * and not yet answered.
 */
export class WorkerExecutor {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private stopped = false
  private stopError?: Error
  private throughput: number
  readonly profile: DeviceProfile
  readonly tilesTotal: number
  private lastStatus: ShardStatus
  private readonly shapes = new Map<string, { rows: number, cols: number }>()

  private constructor (worker: Worker, startup: Extract<ExecutorStartup, { ready: true }>, profile: DeviceProfile) {
    this.worker = worker
    this.throughput = startup.throughputGflops
    this.lastStatus = startup.status
    this.profile = profile
    this.tilesTotal = startup.status.tilesTotal
    worker.on('message', (msg: ExecutorResponse) => { this.onReply(msg) })
    worker.on('error', (err) => { this.fail(new ExecutorStoppedError('the executor worker failed', { cause: err })) })
    worker.on('exit', (code) => { this.fail(new ExecutorStoppedError(`the executor worker exited with code ${code}`)) })
  }

  /** Starts the worker and waits until its pool is ready. */
  static async start (init: WorkerExecutorInit): Promise<WorkerExecutor> {
    if (init.emulatedMacsPerSecond !== undefined) checkEmulatedRate(init.emulatedMacsPerSecond)
    const worker = new Worker(workerUrl(), {
      workerData: { profile: init.profile, tiles: init.tiles, kernel: init.kernel ?? 'default', calibrate: init.calibrate ?? true, emulatedMacsPerSecond: init.emulatedMacsPerSecond ?? 0 }
    })
    const startup = await new Promise<ExecutorStartup>((resolve, reject) => {
      const onError = (err: Error): void => { reject(new ExecutorStoppedError('the executor worker failed to start', { cause: err })) }
      const onExit = (code: number): void => { reject(new ExecutorStoppedError(`the executor worker exited with code ${code} while starting`)) }
      worker.once('error', onError)
      worker.once('exit', onExit)
      worker.once('message', (msg: ExecutorStartup) => {
        worker.off('error', onError)
        worker.off('exit', onExit)
        resolve(msg)
      })
    })
    if (!startup.ready) {
      await worker.terminate()
      throw rebuildError(startup.error)
    }
    return new WorkerExecutor(worker, startup, init.profile)
  }

  /** Shape of a shard reserved or programmed through this executor. */
  shapeOf (shardId: string): { rows: number, cols: number } | undefined {
    return this.shapes.get(shardId)
  }

  /** Requests posted to the worker and not yet answered. */
  queueDepth (): number {
    return this.pending.size
  }

  /** Moving average of measured MVM throughput (GFLOP/s), seeded by the start-up calibration. */
  throughputGflops (): number {
    return this.throughput
  }

  /** The status the worker reported last (after any request), without a round trip. */
  cachedStatus (): ShardStatus {
    return this.lastStatus
  }

  async reserve (shardId: string, rows: number, cols: number): Promise<{ tilesReserved: number }> {
    const value = await this.request({ op: 'reserve', shardId, rows, cols }) as { tilesReserved: number }
    this.shapes.set(shardId, { rows, cols })
    await this.refreshStatus()
    return value
  }

  async program (shardId: string, weights: Float32Array, seed: Seed, tSeconds?: number, options: TransferOptions = {}): Promise<{ tilesUsed: number }> {
    const w = options.transfer === true ? weights : weights.slice()
    return await this.request({ op: 'program', shardId, weights: w, seed, tSeconds }, transferable(w)) as { tilesUsed: number }
  }

  async execute (shardId: string, x: Float32Array, batch: number, executeOptions: ExecuteOptions = {}, options: TransferOptions = {}): Promise<ExecuteReply> {
    const input = options.transfer === true ? x : x.slice()
    return await this.request({ op: 'execute', shardId, x: input, batch, options: executeOptions }, transferable(input)) as ExecuteReply
  }

  /**
   * Changes the emulated compute rate cap from the next execute on (0: no cap) — a host that slows down or
   * recovers mid-run, as simulations script it. Rejects a negative or non-finite rate.
   */
  async setEmulatedMacsPerSecond (macsPerSecond: number): Promise<void> {
    checkEmulatedRate(macsPerSecond)
    await this.request({ op: 'setEmulatedRate', macsPerSecond })
  }

  async release (shardId: string): Promise<{ tilesFreed: number }> {
    const value = await this.request({ op: 'release', shardId }) as { tilesFreed: number }
    this.shapes.delete(shardId)
    await this.refreshStatus()
    return value
  }

  async status (): Promise<ShardStatus> {
    this.lastStatus = await this.request({ op: 'status' }) as ShardStatus
    return this.lastStatus
  }

  /** Terminates the worker; pending and later requests reject with {@link ExecutorStoppedError}. */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.fail(new ExecutorStoppedError('the executor was stopped'), true)
    await this.worker.terminate()
  }

  private async refreshStatus (): Promise<void> {
    try {
      await this.status()
    } catch (err) {
      // The status is advisory; the request that triggered the refresh already succeeded.
      log('refreshing the executor status failed - %e', err)
    }
  }

  private async request (req: DistributiveOmit<ExecutorRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.stopped) {
      throw this.stopError ?? new ExecutorStoppedError('the executor worker is not running')
    }
    const id = this.nextId++
    return await new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ ...req, id }, transfer)
    })
  }

  private onReply (msg: ExecutorResponse): void {
    const p = this.pending.get(msg.id)
    if (p == null) return
    this.pending.delete(msg.id)
    this.throughput = msg.throughputGflops
    if (msg.ok) p.resolve(msg.value)
    else p.reject(rebuildError(msg.error))
  }

  /** Rejects pending and later requests with `err`; a stop nobody asked for (the worker died) is logged. */
  private fail (err: Error, requested = false): void {
    if (this.stopped) return
    if (!requested) log.error('the executor stopped with %d requests pending - %e', this.pending.size, err)
    this.stopped = true
    this.stopError = err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}

/** Throws {@link InvalidNodeOptionError} unless the rate is a finite MAC/s ≥ 0 (0: no cap). */
export function checkEmulatedRate (macsPerSecond: number): void {
  if (!(Number.isFinite(macsPerSecond) && macsPerSecond >= 0)) {
    throw new InvalidNodeOptionError(`the emulated rate must be a non-negative number of MAC/s, got ${macsPerSecond}`)
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

function transferable (a: Float32Array): ArrayBuffer[] {
  // Only a view that spans its whole buffer can be transferred without handing over unrelated bytes.
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? [a.buffer as ArrayBuffer] : []
}

/** The worker's errors are the wire package's named errors; anything else becomes an InternalError. */
function rebuildError (e: SerializedError): Error {
  const code = e.code as ErrorCode
  // protons enums are string-valued; anything that is not one of their values is not a wire error.
  if (Object.values(ErrorCode).includes(code) && code !== ErrorCode.UNSPECIFIED) {
    return errorFromReply({ code, message: e.message })
  }
  return new InternalError(`${e.name}: ${e.message}`)
}

/** The compiled worker next to this file; under the `development` condition (tsx) the TypeScript source. */
function workerUrl (): URL {
  const here = import.meta.url
  return new URL(here.endsWith('.ts') ? './worker.ts' : './worker.js', here)
}
