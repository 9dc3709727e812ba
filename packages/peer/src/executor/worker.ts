// Entry of the executor worker thread: owns the node's tile pool so long MVM batches never block libp2p's event loop.
import { performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { createReferenceKernel, createRng, createTilePool } from '@tessera/crossbar'
import { errorCodeOf } from '@tessera/errors'
import { ShardExecutor } from './shard-executor.js'
import type { ExecutorRequest, ExecutorResponse, ExecutorStartup, ExecutorWorkerData, SerializedError } from './messages.js'
import type { TilePool } from '@tessera/crossbar'

/** Weight of the newest execute in the throughput moving average. */
const THROUGHPUT_EMA_ALPHA = 0.2
/** Calibration: one full-tile batch of this many vectors, repeated until this much time has passed. */
const CALIBRATION_BATCH = 64
const CALIBRATION_MIN_MS = 30
const CALIBRATION_MAX_REPEATS = 50

const port = parentPort
if (port == null) {
  throw new Error('the executor worker must run in a worker thread')
}

function serialize (err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, code: errorCodeOf(err), message: err.message }
  return { name: 'Error', code: undefined, message: String(err) }
}

function calibrate (pool: TilePool): number {
  if (pool.tilesFree() === 0) return 0
  const { rows, cols } = pool.profile.geometry
  const rng = createRng('tessera/executor/calibration')
  const weights = new Float32Array(rows * cols)
  for (let i = 0; i < weights.length; i++) weights[i] = rng.nextFloat() * 2 - 1
  const x = new Float32Array(CALIBRATION_BATCH * rows)
  for (let i = 0; i < x.length; i++) x[i] = rng.nextFloat() * 2 - 1
  const out = new Float32Array(CALIBRATION_BATCH * cols)
  const tile = pool.allocateTile()
  try {
    const block = pool.programBlock(tile, { weights, rows, cols, rowOffset: 0, colOffset: 0, seed: 'calibration' })
    pool.execute(block, x, CALIBRATION_BATCH, out) // warm-up: first call compiles and touches memory
    let repeats = 0
    const start = performance.now()
    let elapsed = 0
    while (repeats < CALIBRATION_MAX_REPEATS && (elapsed < CALIBRATION_MIN_MS || repeats === 0)) {
      pool.execute(block, x, CALIBRATION_BATCH, out)
      repeats++
      elapsed = performance.now() - start
    }
    return (2 * rows * cols * CALIBRATION_BATCH * repeats) / (Math.max(elapsed, 1e-3) * 1e6)
  } finally {
    pool.freeTile(tile)
  }
}

/** Target of Atomics.wait: the emulated slowdown blocks the worker without spinning. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4))

function main (): void {
  const data = workerData as ExecutorWorkerData
  let emulatedMacsPerSecond = data.emulatedMacsPerSecond ?? 0
  let executor: ShardExecutor
  let throughputGflops: number
  try {
    // 'default' leaves the choice to the pool (WASM SIMD, or the reference kernel where that is unavailable), so a
    // pool built the same way in-process computes bit for bit what the worker computes.
    const kernel = data.kernel === 'reference' ? createReferenceKernel() : undefined
    const pool = createTilePool({ profile: data.profile, tiles: data.tiles, kernel })
    throughputGflops = data.calibrate ? calibrate(pool) : 0
    if (emulatedMacsPerSecond > 0) throughputGflops = Math.min(throughputGflops > 0 ? throughputGflops : Infinity, (2 * emulatedMacsPerSecond) / 1e9)
    executor = new ShardExecutor(pool)
  } catch (err) {
    port!.postMessage({ ready: false, error: serialize(err) } satisfies ExecutorStartup)
    return
  }
  port!.on('message', (req: ExecutorRequest) => {
    let reply: ExecutorResponse
    const transfer: ArrayBuffer[] = []
    try {
      let value: unknown
      switch (req.op) {
        case 'reserve': value = executor.reserve(req.shardId, req.rows, req.cols); break
        case 'program': value = executor.program(req.shardId, req.weights, req.seed, req.tSeconds); break
        case 'release': value = executor.release(req.shardId); break
        case 'status': value = executor.status(); break
        case 'setEmulatedRate': {
          // WorkerExecutor checked the rate before posting it.
          emulatedMacsPerSecond = req.macsPerSecond
          value = { macsPerSecond: emulatedMacsPerSecond }
          break
        }
        case 'execute': {
          const start = performance.now()
          const { output, stats } = executor.execute(req.shardId, req.x, req.batch, req.options)
          if (emulatedMacsPerSecond > 0) {
            // An emulated slower host: block this thread for the rest of the time its device would take.
            const minMs = (stats.macs / emulatedMacsPerSecond) * 1000
            const left = minMs - (performance.now() - start)
            if (left > 0) Atomics.wait(sleepCell, 0, 0, left)
            stats.deviceTimeNs = Math.max(stats.deviceTimeNs, minMs * 1e6)
          }
          const wallMs = performance.now() - start
          if (wallMs > 0) {
            const gflops = (2 * stats.macs) / (wallMs * 1e6)
            throughputGflops = throughputGflops === 0 ? gflops : throughputGflops + THROUGHPUT_EMA_ALPHA * (gflops - throughputGflops)
          }
          transfer.push(output.buffer as ArrayBuffer)
          value = { output, stats, wallMs }
          break
        }
        default: throw new TypeError(`unknown executor op ${JSON.stringify((req as { op: unknown }).op)}`)
      }
      reply = { id: req.id, ok: true, value, throughputGflops }
    } catch (err) {
      reply = { id: req.id, ok: false, error: serialize(err), throughputGflops }
    }
    port!.postMessage(reply, transfer)
  })
  port!.postMessage({ ready: true, throughputGflops, status: executor.status() } satisfies ExecutorStartup)
}

main()
