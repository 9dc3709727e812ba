/**
 * The `node` benchmark: how fast a node's executor runs a mixed stream of execute calls with `--max-cpu` 1, 2, …
 * worker threads. Each configuration is a real tessera node (local network, no peers) whose executor holds the same
 * shards (512×512, 512×256 and 256×512 on 256×256 PCM tiles, 12 shards) and answers the same seeded stream of executes
 * (batches of 32, 128 and 256 vectors, cycling through the shards), `inFlight` calls at a time, as the shard service would post
 * them. Each node first answers the whole stream once without the clock running: that pass JIT-compiles the worker's
 * paths, faults in the tiles' and buffers' pages and grows the worker heaps, which a node serving a continuous stream has
 * long paid for (measured on an idle 2-core machine: with no warm-up and 360 calls, --max-cpu 2 reached 1.51–1.67× of
 * --max-cpu 1; with it and 1,440 calls, 1.89×). The configurations then alternate over several repetitions and the
 * best of each counts, so a burst of load from elsewhere on the machine does not decide a ratio measured in the same
 * run. `executesPerSecond` counts calls
 * answered; `gflops` is 2 × MACs per second.
 */
import { availableParallelism, loadavg } from 'node:os'
import { InvalidArgumentError } from 'commander'
import { createRng } from '@tessera/crossbar'
import { createTesseraNode } from '@tessera/peer'
import type { Command } from 'commander'
import type { NodeExecutor } from '@tessera/peer'
import { progressNote } from './options.js'

/** Shard shapes (rows × cols) of the mixed stream, on 256×256 tiles. */
const SHARD_SHAPES: ReadonlyArray<[number, number]> = [[512, 512], [512, 256], [256, 512]]
const SHARDS_PER_SHAPE = 4
const BATCHES = [32, 128, 256]
const TILE_SIZE = 256
const DEFAULT_EXECUTES = 1440
const DEFAULT_REPETITIONS = 3
const DEFAULT_IN_FLIGHT = 8

export interface NodeBenchRow {
  maxCpu: number
  executesPerSecond: number
  gflops: number
  /**
   * CPU time of the whole process (main thread and workers) ÷ wall time during the stream: the cores the
   * configuration actually got. Below `maxCpu` + a little, other processes took the rest.
   */
  coresUsed: number
  /**
   * CPU time of the process per execute answered, ms: what one call costs whatever the cores the configuration got.
   * Equal across thread counts when spreading the shards over threads costs nothing; the speed-up on free cores is then
   * the ratio of `coresUsed`.
   */
  cpuMsPerExecute: number
}

export interface NodeBenchResult {
  cores: NodeBenchRow[]
  /** The 1-minute load average before and after the run, and the machine's cores: context for the ratios. */
  loadAverageBefore: number
  loadAverageAfter: number
  machineCores: number
}

export interface NodeBenchOptions {
  maxCpu?: number[]
  executes?: number
  repetitions?: number
  inFlight?: number
  onProgress?: (note: string) => void
}

function seeded (seed: string, length: number): Float32Array {
  const rng = createRng(seed)
  const values = new Float32Array(length)
  for (let i = 0; i < length; i++) values[i] = 2 * rng.nextFloat() - 1
  return values
}

interface Call { shard: string, rows: number, cols: number, batch: number, x: Float32Array }

/** The seeded call stream, the same for every configuration. */
function callStream (executes: number): Call[] {
  const shards = SHARD_SHAPES.flatMap(([rows, cols], s) => Array.from({ length: SHARDS_PER_SHAPE }, (_, k) => ({ shard: `s${s}/${k}`, rows, cols })))
  const inputs = new Map<string, Float32Array>()
  return Array.from({ length: executes }, (_, i) => {
    const { shard, rows, cols } = shards[i % shards.length]
    const batch = BATCHES[Math.floor(i / shards.length) % BATCHES.length]
    const key = `${rows}/${batch}`
    let x = inputs.get(key)
    if (x === undefined) inputs.set(key, x = seeded(`bench/node/x/${key}`, rows * batch))
    return { shard, rows, cols, batch, x }
  })
}

async function programShards (executor: NodeExecutor): Promise<void> {
  for (const [s, [rows, cols]] of SHARD_SHAPES.entries()) {
    for (let k = 0; k < SHARDS_PER_SHAPE; k++) {
      const id = `s${s}/${k}`
      await executor.reserve(id, rows, cols)
      await executor.program(id, seeded(`bench/node/w/${id}`, rows * cols), id)
    }
  }
}

/**
 * Runs the stream `inFlight` calls at a time; seconds taken and MACs done. Each call hands its own copy of the input
 * to the executor thread (transferred, not copied again), as the shard service does with an input it has just
 * decoded off the network; the copies are made before the clock starts.
 */
async function runStream (executor: NodeExecutor, calls: Call[], inFlight: number): Promise<{ seconds: number, macs: number, cpuSeconds: number }> {
  let next = 0
  let macs = 0
  const inputs = calls.map((c) => c.x.slice())
  const cpu = process.cpuUsage()
  const start = performance.now()
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < calls.length) {
      const i = next++
      const call = calls[i]
      const reply = await executor.execute(call.shard, inputs[i], call.batch, { noiseKey: `n${i}` }, { transfer: true })
      macs += reply.stats.macs
    }
  }))
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  return { seconds, macs, cpuSeconds: (used.user + used.system) / 1e6 }
}

/** Measures each `--max-cpu` value on its own node, alternating configurations over the repetitions. */
export async function runNodeBench (options: NodeBenchOptions = {}): Promise<NodeBenchResult> {
  const counts = options.maxCpu ?? [1, Math.max(2, availableParallelism())]
  const calls = callStream(options.executes ?? DEFAULT_EXECUTES)
  const inFlight = options.inFlight ?? DEFAULT_IN_FLIGHT
  const tiles = SHARD_SHAPES.reduce((sum, [r, c]) => sum + (r / TILE_SIZE) * (c / TILE_SIZE), 0) * SHARDS_PER_SHAPE
  const progress = options.onProgress ?? (() => {})
  const loadAverageBefore = loadavg()[0]
  const best = new Map<number, NodeBenchRow>()
  const nodes = await Promise.all(counts.map(async (maxCpu) => await createTesseraNode({ network: 'local', listen: [], maxCpu, tiles, calibrate: false, device: 'pcm' })))
  try {
    for (const node of nodes) await programShards(node.executor as NodeExecutor)
    for (const [i, maxCpu] of counts.entries()) {
      progress(`warm-up, --max-cpu ${maxCpu}`)
      await runStream(nodes[i].executor as NodeExecutor, calls, inFlight)
    }
    for (let rep = 0; rep < (options.repetitions ?? DEFAULT_REPETITIONS); rep++) {
      for (const [i, maxCpu] of counts.entries()) {
        const { seconds, macs, cpuSeconds } = await runStream(nodes[i].executor as NodeExecutor, calls, inFlight)
        const row = { maxCpu, executesPerSecond: calls.length / seconds, gflops: (2 * macs) / seconds / 1e9, coresUsed: cpuSeconds / seconds, cpuMsPerExecute: (cpuSeconds * 1000) / calls.length }
        progress(`repetition ${rep + 1}, --max-cpu ${maxCpu}: ${row.executesPerSecond.toFixed(1)} executes/s, ${row.gflops.toFixed(2)} GFLOP/s on ${row.coresUsed.toFixed(2)} cores`)
        if ((best.get(maxCpu)?.executesPerSecond ?? 0) < row.executesPerSecond) best.set(maxCpu, row)
      }
    }
  } finally {
    await Promise.all(nodes.map(async (n) => { await n.stop() }))
  }
  return { cores: counts.map((c) => best.get(c) as NodeBenchRow), loadAverageBefore, loadAverageAfter: loadavg()[0], machineCores: availableParallelism() }
}

function countList (value: string): number[] {
  const list = value.split(',').map((v) => Number(v.trim()))
  if (list.length === 0 || list.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new InvalidArgumentError(`expected a comma-separated list of positive integers, got ${JSON.stringify(value)}`)
  return list
}

function positiveInteger (value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`)
  return n
}

const round2 = (x: number): number => Math.round(x * 100) / 100

export function registerNodeCommand (program: Command): void {
  program
    .command('node')
    .description('a node\'s executor on a mixed execute stream with --max-cpu 1, 2, … worker threads')
    .option('--json', 'print {"node":{"cores":[…]}} to stdout instead of lines')
    .option('--max-cpu <list>', 'comma-separated worker thread counts (default 1 and the machine\'s cores, at least 2)', countList)
    .option('--executes <n>', 'calls in the stream', positiveInteger, DEFAULT_EXECUTES)
    .option('--repetitions <n>', 'repetitions per configuration (the best counts)', positiveInteger, DEFAULT_REPETITIONS)
    .option('--in-flight <n>', 'calls posted at once', positiveInteger, DEFAULT_IN_FLIGHT)
    .action(async (options: { json?: boolean, maxCpu?: number[], executes: number, repetitions: number, inFlight: number }) => {
      const result = await runNodeBench({ ...options, onProgress: options.json === true ? undefined : progressNote })
      const cores = result.cores.map((r) => ({ maxCpu: r.maxCpu, executesPerSecond: round2(r.executesPerSecond), gflops: round2(r.gflops), coresUsed: round2(r.coresUsed), cpuMsPerExecute: round2(r.cpuMsPerExecute) }))
      if (options.json === true) {
        process.stdout.write(JSON.stringify({ node: { cores, loadAverageBefore: round2(result.loadAverageBefore), loadAverageAfter: round2(result.loadAverageAfter), machineCores: result.machineCores } }) + '\n')
        return
      }
      const base = cores[0]
      for (const r of cores) {
        process.stdout.write(`--max-cpu ${r.maxCpu}: ${r.executesPerSecond} executes/s, ${r.gflops} GFLOP/s on ${r.coresUsed} cores, ${r.cpuMsPerExecute} CPU ms per execute (${(r.executesPerSecond / base.executesPerSecond).toFixed(2)}× --max-cpu ${base.maxCpu})\n`)
      }
      process.stdout.write(`load average ${result.loadAverageBefore.toFixed(2)} before, ${result.loadAverageAfter.toFixed(2)} after, on ${result.machineCores} cores\n`)
    })
}
