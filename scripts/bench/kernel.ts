/**
 * The `kernel` benchmark: batched MVM throughput (GFLOP/s, 2·rows·cols·batch FLOPs per call) on one core of
 * - the WebAssembly SIMD kernel on its own (`wasmGflops`),
 * - a PCM tile's full execute path on that kernel: DAC, read noise, ADC, drift compensation (`wasmNonIdealGflops`),
 * - the plain TypeScript reference kernel (`tsGflops`),
 * - the C reference in c/mvm.c compiled now with `cc -O3 -march=native` (`cGflops`, null without a C compiler).
 * Each repetition repeats calls until at least `minSeconds` have passed; the best of `repetitions` counts, and the
 * four take turns repetition by repetition so background load on the machine hits them alike.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { positiveInteger, positiveIntegerList, positiveNumber, progressNote } from './options.js'
import type { Command } from 'commander'
import { createDeviceProfile, createReferenceKernel, createRng, createTilePool, createWasmKernel } from '@tessera/crossbar'
import type { MvmKernel } from '@tessera/crossbar'

/** One row of the kernel benchmark's JSON output. */
export interface KernelBenchRow {
  rows: number
  cols: number
  batch: number
  wasmGflops: number
  wasmNonIdealGflops: number
  tsGflops: number
  cGflops: number | null
}

/** Options of {@link runKernelBench}; every field has a default. */
export interface KernelBenchOptions {
  /** Square matrix sides to measure (default 128, 256, 512, 1024). */
  sizes?: number[]
  /** Input vectors per call (default 64). */
  batch?: number
  /** Minimum wall time of one repetition, seconds (default 0.3). */
  minSeconds?: number
  /** Repetitions per measurement; the best one counts (default 5). */
  repetitions?: number
  /** Called with a short note before each measurement (for progress on stderr). */
  onProgress?: (note: string) => void
}

export const KERNEL_BENCH_SIZES: readonly number[] = [128, 256, 512, 1024]
export const KERNEL_BENCH_BATCH = 64
export const KERNEL_BENCH_MIN_SECONDS = 0.3
export const KERNEL_BENCH_REPETITIONS = 5
/** Seed of the benchmark's weights, inputs and PCM programming noise. */
const BENCH_SEED = 'bench/kernel'

/** GFLOP/s of one repetition: calls `call` until at least `minSeconds` have passed. */
function repetitionGflops (call: () => void, flopsPerCall: number, minSeconds: number): number {
  let calls = 0
  const start = performance.now()
  let elapsedSeconds: number
  do {
    call()
    calls++
    elapsedSeconds = (performance.now() - start) / 1000
  } while (elapsedSeconds < minSeconds)
  return (flopsPerCall * calls) / elapsedSeconds / 1e9
}

function randomUniform (seed: string, length: number): Float32Array {
  const rng = createRng(seed)
  const values = new Float32Array(length)
  for (let i = 0; i < length; i++) values[i] = 2 * rng.nextFloat() - 1
  return values
}

/** The C source: next to this file under tsx, or two levels up from scripts/dist/bench when compiled. */
function cSourcePath (): string | undefined {
  const candidates = [new URL('./c/mvm.c', import.meta.url), new URL('../../bench/c/mvm.c', import.meta.url)]
  return candidates.map((url) => fileURLToPath(url)).find((path) => existsSync(path))
}

/** Compiles the C reference into a temporary directory; returns the binary's path, or undefined without a compiler. */
function compileC (dir: string): string | undefined {
  const source = cSourcePath()
  if (source === undefined) return undefined
  const binary = join(dir, 'mvm')
  const compiler = process.env.CC ?? 'cc'
  const result = spawnSync(compiler, ['-O3', '-march=native', '-o', binary, source], { encoding: 'utf8' })
  if (result.error !== undefined || result.status !== 0) return undefined
  return binary
}

/** One repetition of the C reference (the binary warms up, then runs calls for at least `minSeconds`). */
function cRepetitionGflops (binary: string, n: number, batch: number, minSeconds: number): number | null {
  const result = spawnSync(binary, [String(n), String(n), String(batch), String(minSeconds), '1'], { encoding: 'utf8' })
  if (result.error !== undefined || result.status !== 0) return null
  const parsed = JSON.parse(result.stdout) as { gflops: number }
  return parsed.gflops
}

/** A kernel under measurement: `repetition` returns one repetition's GFLOP/s, `close` releases what it holds. */
interface Contender {
  repetition: () => number | null
  close: () => void
}

function kernelContender (kernel: MvmKernel, weights: Float32Array, n: number, x: Float32Array, batch: number, minSeconds: number): Contender {
  const handle = kernel.load(weights, n, n)
  const out = new Float32Array(batch * n)
  const call = (): void => { kernel.mvm(handle, x, batch, out) }
  call() // warm-up: tiers the WebAssembly up and pages the matrix in
  return { repetition: () => repetitionGflops(call, 2 * n * n * batch, minSeconds), close: () => { kernel.free(handle) } }
}

function pcmContender (kernel: MvmKernel, weights: Float32Array, n: number, x: Float32Array, batch: number, minSeconds: number): Contender {
  const pool = createTilePool({ profile: createDeviceProfile('pcm', { rows: n, cols: n }), tiles: 1, kernel })
  const block = pool.programBlock(pool.allocateTile(), { weights, rows: n, cols: n, rowOffset: 0, colOffset: 0, seed: `${BENCH_SEED}/${n}/pcm` })
  const out = new Float32Array(batch * n)
  const call = (): void => { pool.execute(block, x, batch, out) }
  call()
  return { repetition: () => repetitionGflops(call, 2 * n * n * batch, minSeconds), close: () => { pool.releaseBlock(block) } }
}

/** Runs the kernel benchmark and returns one row per size. */
export async function runKernelBench (options: KernelBenchOptions = {}): Promise<KernelBenchRow[]> {
  const sizes = options.sizes ?? KERNEL_BENCH_SIZES
  const batch = options.batch ?? KERNEL_BENCH_BATCH
  const minSeconds = options.minSeconds ?? KERNEL_BENCH_MIN_SECONDS
  const repetitions = options.repetitions ?? KERNEL_BENCH_REPETITIONS
  const progress = options.onProgress ?? (() => {})

  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'))
  try {
    progress('compiling the C reference with cc -O3 -march=native')
    const cBinary = compileC(dir)
    if (cBinary === undefined) progress('no C compiler (or the compile failed): cGflops will be null')
    const wasm = await createWasmKernel()
    const reference = createReferenceKernel()
    const rows: KernelBenchRow[] = []
    for (const n of sizes) {
      progress(`${n}×${n}, batch ${batch}: ${repetitions} interleaved repetitions`)
      const weights = randomUniform(`${BENCH_SEED}/${n}/weights`, n * n)
      const x = randomUniform(`${BENCH_SEED}/${n}/x`, batch * n)
      const contenders: Record<'wasm' | 'pcm' | 'ts' | 'c', Contender | undefined> = {
        wasm: kernelContender(wasm, weights, n, x, batch, minSeconds),
        pcm: pcmContender(wasm, weights, n, x, batch, minSeconds),
        ts: kernelContender(reference, weights, n, x, batch, minSeconds),
        c: cBinary === undefined ? undefined : { repetition: () => cRepetitionGflops(cBinary, n, batch, minSeconds), close: () => {} }
      }
      const best: Record<keyof typeof contenders, number | null> = { wasm: null, pcm: null, ts: null, c: null }
      // Repetitions take turns so that load from other processes on the machine hits every kernel alike.
      for (let rep = 0; rep < repetitions; rep++) {
        for (const name of ['wasm', 'pcm', 'ts', 'c'] as const) {
          const gflops = contenders[name]?.repetition() ?? null
          if (gflops !== null) best[name] = Math.max(best[name] ?? 0, gflops)
        }
      }
      for (const contender of Object.values(contenders)) contender?.close()
      rows.push({ rows: n, cols: n, batch, wasmGflops: best.wasm ?? 0, wasmNonIdealGflops: best.pcm ?? 0, tsGflops: best.ts ?? 0, cGflops: best.c })
    }
    return rows
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const round2 = (value: number): number => Math.round(value * 100) / 100

/** A human-readable table of the rows, with the two goal ratios. */
export function formatKernelTable (rows: readonly KernelBenchRow[]): string {
  const header = ['shape', 'batch', 'wasm', 'wasm+pcm', 'ts', 'c', 'wasm/c', 'wasm/(wasm+pcm)']
  const body = rows.map((r) => [
    `${r.rows}×${r.cols}`,
    String(r.batch),
    r.wasmGflops.toFixed(2),
    r.wasmNonIdealGflops.toFixed(2),
    r.tsGflops.toFixed(2),
    r.cGflops === null ? 'n/a' : r.cGflops.toFixed(2),
    r.cGflops === null ? 'n/a' : (r.wasmGflops / r.cGflops).toFixed(2),
    (r.wasmGflops / r.wasmNonIdealGflops).toFixed(2)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)))
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padStart(widths[i])).join('  ')
  return [
    'batched MVM throughput on one core, GFLOP/s (2·rows·cols·batch FLOPs per call); goals: wasm/c ≥ 0.9, wasm/(wasm+pcm) ≤ 1.5',
    line(header),
    ...body.map(line)
  ].join('\n')
}

/** Registers the `kernel` subcommand on the bench CLI. */
export function registerKernelCommand (program: Command): void {
  program
    .command('kernel')
    .description('MVM kernel throughput: WASM SIMD, WASM through a PCM tile, TypeScript reference, C -O3 -march=native')
    .option('--json', 'print {"kernel":[…]} to stdout instead of a table')
    .option('--sizes <list>', 'comma-separated square matrix sides', positiveIntegerList, [...KERNEL_BENCH_SIZES])
    .option('--batch <n>', 'input vectors per call', positiveInteger, KERNEL_BENCH_BATCH)
    .option('--min-seconds <s>', 'minimum wall time of one repetition', positiveNumber, KERNEL_BENCH_MIN_SECONDS)
    .option('--repetitions <n>', 'repetitions per measurement (the best counts)', positiveInteger, KERNEL_BENCH_REPETITIONS)
    .action(async (options: { json?: boolean, sizes: number[], batch: number, minSeconds: number, repetitions: number }) => {
      const rows = await runKernelBench({ ...options, onProgress: options.json === true ? undefined : progressNote })
      if (options.json === true) {
        const kernel = rows.map((r) => ({
          ...r,
          wasmGflops: round2(r.wasmGflops),
          wasmNonIdealGflops: round2(r.wasmNonIdealGflops),
          tsGflops: round2(r.tsGflops),
          cGflops: r.cGflops === null ? null : round2(r.cGflops)
        }))
        process.stdout.write(JSON.stringify({ kernel }) + '\n')
      } else {
        process.stdout.write(formatKernelTable(rows) + '\n')
      }
    })
}
