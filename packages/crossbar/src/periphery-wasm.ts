/**
 * The WebAssembly periphery of an analog block: input measurement, DAC, read and output noise, ADC and bound
 * management run in kernel.wasm's analog functions (assembly/analog.ts) in float32 with counter-based noise,
 * next to the kernel, so the same seed and sequence of calls give bit-identical outputs on every machine.
 */
import type { KernelMatrix, MvmKernel } from './kernel.js'
import type { DriftingArray } from './physics-drift.js'
import type { BlockScales } from './physics-scales.js'
import type { AnalogBlockInit } from './physics-types.js'
import { checkFinite } from './physics-validate.js'
import type { PeripheryExecute } from './periphery-ts.js'
import type { Rng } from './random.js'
import { ANALOG_MODE_CLIP, ANALOG_MODE_DAC, ANALOG_MODE_SCALE, sharedAnalogEngine } from './wasm-kernel.js'
import type { AnalogEngine, WasmKernel } from './wasm-kernel.js'

/** The WebAssembly periphery of one block. */
export interface WasmPeriphery {
  execute: PeripheryExecute
  /** Returns the block's buffers in the engine's memory. */
  release (): void
}

/**
 * The block's WebAssembly periphery, or undefined where kernel.wasm does not load or the init asks for the
 * TypeScript one: the kernel's own analog engine when it has one, else the shared one.
 */
export function createWasmPeriphery (init: AnalogBlockInit, scales: BlockScales, array: DriftingArray): WasmPeriphery | undefined {
  const kernelEngine = (init.kernel as Partial<WasmKernel>).analogEngine?.()
  const engine: AnalogEngine | undefined = init.peripherals === 'typescript' ? undefined : (kernelEngine ?? sharedAnalogEngine())
  if (engine === undefined) return undefined
  const periphery = new EnginePeriphery(init, scales, array, engine)
  return {
    execute: (x, batch, out, t, compensate, rng) => periphery.execute(x, batch, out, t, compensate, rng),
    release () { periphery.release() }
  }
}

/** What one execute call shares between its rounds of reads. */
interface ExecuteCall {
  /** The engine's scratch buffers for this call. */
  s: EngineScratch
  matrix: KernelMatrix
  /** Bound management guided by predicted levels and probes (the engine owns the matrix), else level by level. */
  guided: boolean
  /** Key of the call's counter-based noise. */
  keyLo: number
  keyHi: number
  /** Output scale, drift compensation included. */
  outScale: number
  /** Device reads so far. */
  reads: number
  /** First-round max/rms ratios recorded in `ratios` (they calibrate κ̂ for the next call). */
  ratioCount: number
}

/**
 * The WebAssembly path of one block: input measurement, DAC, noise, ADC and clipping run in the module
 * (assembly/analog.ts) next to the kernel: per vector O(rows + cols) of SIMD WebAssembly, not JavaScript.
 *
 * Bound management follows aihwkit's iterative rule per vector: read at input scale 1; while some output
 * clips and the reduction 2^k is ≤ min(max_bm_factor, max_bm_res / DAC step), read again at scale 2^−(k+1);
 * the last read's outputs count, and the device performs (final level + 1) reads. Every read is a pure
 * function of (call, vector, level): the same inputs and the same noise (counter-based, assembly/analog.ts)
 * whenever and however it is evaluated. So the reads need not be made in that order, and only the final
 * one needs every column:
 * - all vectors' reads of a round go to the kernel in one batched call;
 * - with this instance's own kernel (`mvmAt`), each vector's first read is made at the level predicted from
 *   |x| (κ̂·rms output vs the bound, κ̂ calibrated on the block's previous call), and every level skipped below
 *   or above it is settled by a probe: the exact noisy, quantised value of the column that was largest in the
 *   vector's last full read, computed exactly as the kernel would, so a clip there proves that read clips;
 *   otherwise (or when that column, scaled to the level, stays well inside the bound) the level is read in
 *   full.
 * The outputs and the device statistics are bit-identical to reading level after level; only the kernel work
 * drops (to about one read per vector when the prediction holds).
 */
class EnginePeriphery {
  private readonly rows: number
  private readonly cols: number
  private readonly kernel: MvmKernel
  private readonly scales: BlockScales
  private readonly array: DriftingArray
  private readonly engine: AnalogEngine
  private readonly rowWeightPtr: number
  private readonly colVarPtr: number
  /** `prepare` mode and its limit: DAC codes, clipping at the input bound, or plain scaling. */
  private readonly mode: number
  private readonly modeLimit: number
  private readonly outVarK: number
  private readonly inputScale: number
  /** ADC step handed to the engine (0: no ADC). */
  private readonly adcStep: number
  /** Highest level a read can have: level k + 1 is read only after level k clipped with 2^k ≤ maxReduction. */
  private readonly maxLevel: number
  /** `noiseVersion` of the array whose rowWeight / colVar the engine holds. */
  private syncedVersion = -1
  /**
   * κ̂: max_j |y_j| of a read over its predicted rms, the mean over the previous call's first reads; starts at
   * the median max of `cols` Gaussian outputs.
   */
  private kappa: number
  /** Per round: the vectors still to read and at which level (the first `count` entries). */
  private nextB = new Int32Array(0)
  private nextLevel = new Int32Array(0)
  /** Per vector: the lowest level not known to clip. */
  private lowest = new Int32Array(0)
  /** Per vector: predicted rms of its outputs at level 0. */
  private rms = new Float64Array(0)
  private ratios = new Float64Array(0)

  constructor (init: AnalogBlockInit, scales: BlockScales, array: DriftingArray, engine: AnalogEngine) {
    const { rows, cols, kernel } = init
    this.rows = rows
    this.cols = cols
    this.kernel = kernel
    this.scales = scales
    this.array = array
    this.engine = engine
    this.rowWeightPtr = engine.alloc(rows * 4)
    this.colVarPtr = engine.alloc(cols * 4)
    this.mode = scales.dacOn ? ANALOG_MODE_DAC : scales.nmOn ? ANALOG_MODE_CLIP : ANALOG_MODE_SCALE
    this.modeLimit = scales.dacOn ? scales.maxCode : scales.inputBound
    this.outVarK = scales.outNoiseK * scales.outNoiseK
    this.inputScale = 1 / scales.xUnit
    this.adcStep = scales.adcOn ? scales.adcStepK : 0
    this.maxLevel = Math.floor(Math.log2(scales.maxReduction)) + 1
    this.kappa = gaussianMedianMax(cols)
  }

  execute (x: Float32Array, batch: number, out: Float32Array, t: number, compensate: boolean, rng: Rng): number {
    const s = engineScratch(this.engine, batch, this.rows, this.cols)
    this.measure(s, x, batch)
    this.array.updateTime(t)
    this.syncNoiseProfile()
    const a = compensate ? this.array.driftCompensationFactor(t) : 1
    const keyLo = rng.nextUint32()
    const keyHi = rng.nextUint32()
    const matrix = this.array.handle as KernelMatrix
    const call: ExecuteCall = {
      s, matrix, guided: this.scales.bmOn && this.engine.owns(matrix), keyLo, keyHi, outScale: this.scales.u * this.scales.wScale * a, reads: 0, ratioCount: 0
    }
    this.reserve(batch)
    let count = this.firstReads(call, batch)
    let firstRound = true
    while (count > 0) {
      this.read(call, count)
      count = this.settleRound(call, count, firstRound)
      firstRound = false
    }
    if (call.ratioCount > 0) {
      let sum = 0
      for (let i = 0; i < call.ratioCount; i++) sum += this.ratios[i]
      this.kappa = sum / call.ratioCount
    }
    const outAt = s.out >>> 2
    out.set(this.engine.f32().subarray(outAt, outAt + batch * this.cols))
    return call.reads
  }

  /** Returns the block's buffers in the engine's memory. */
  release (): void {
    this.engine.release(this.rowWeightPtr)
    this.engine.release(this.colVarPtr)
  }

  /** Copies the inputs in and measures each vector; validates every vector before any state (time cache, generators) changes. */
  private measure (s: EngineScratch, x: Float32Array, batch: number): void {
    const f32 = this.engine.f32()
    f32.set(x.length === batch * this.rows ? x : x.subarray(0, batch * this.rows), s.x >>> 2)
    this.engine.measure(s.x, this.rows, batch, s.scales, s.sumSq)
    const scalesAt = s.scales >>> 2
    const sumSqAt = s.sumSq >>> 2
    for (let b = 0; b < batch; b++) {
      if (!Number.isFinite(f32[sumSqAt + b]) || !Number.isFinite(f32[scalesAt + b])) checkFinite(x, b, this.rows)
    }
  }

  /** Copies the array's read-noise profile into the engine when it changed. */
  private syncNoiseProfile (): void {
    if (this.syncedVersion === this.array.noiseVersion) return
    this.engine.f32().set(this.array.rowWeight, this.rowWeightPtr >>> 2)
    this.engine.f32().set(this.array.colVar, this.colVarPtr >>> 2)
    this.syncedVersion = this.array.noiseVersion
  }

  /** Grows the per-vector buffers to `batch`. */
  private reserve (batch: number): void {
    if (this.nextB.length >= batch) return
    this.nextB = new Int32Array(batch)
    this.nextLevel = new Int32Array(batch)
    this.lowest = new Int32Array(batch)
    this.rms = new Float64Array(batch)
    this.ratios = new Float64Array(batch)
  }

  /** Zeroes the outputs of zero vectors and queues the others for their first read; returns how many are queued. */
  private firstReads (call: ExecuteCall, batch: number): number {
    const { s } = call
    const f32 = this.engine.f32()
    const scalesAt = s.scales >>> 2
    const sumSqAt = s.sumSq >>> 2
    const outAt = s.out >>> 2
    let count = 0
    for (let b = 0; b < batch; b++) {
      const m = f32[scalesAt + b]
      if (m === 0) {
        // No input drives no current: the output is exactly zero (aihwkit short-cuts this case too).
        f32.fill(0, outAt + b * this.cols, outAt + (b + 1) * this.cols)
        continue
      }
      if (!this.scales.nmOn) f32[scalesAt + b] = 1
      let level = 0
      if (call.guided) {
        const scale = this.inputScale / f32[scalesAt + b]
        this.rms[b] = Math.sqrt(f32[sumSqAt + b] * this.array.meanSquareK) * scale
        // The lowest level at which κ̂·rms·2^−level fits inside the bound.
        let expected = this.kappa * this.rms[b]
        while (expected > this.scales.boundK && level < this.maxLevel) {
          expected *= 0.5
          level++
        }
      }
      this.lowest[b] = 0
      this.nextB[count] = b
      this.nextLevel[count++] = level
    }
    return count
  }

  /** One round: the queued vectors read at their levels in one batched kernel call, then finalized. */
  private read (call: ExecuteCall, count: number): void {
    const { s, matrix } = call
    const { rows, cols, engine } = this
    const i32 = engine.i32()
    i32.set(this.nextB.subarray(0, count), s.index >>> 2)
    i32.set(this.nextLevel.subarray(0, count), s.levels >>> 2)
    engine.prepare(s.x, rows, count, s.index, s.levels, s.scales, this.inputScale, this.mode, this.modeLimit, this.rowWeightPtr, s.xq, s.power)
    if (!engine.mvmAt(matrix, s.xq, count, s.y)) {
      const view = engine.f32()
      this.kernel.mvm(matrix, view.subarray(s.xq >>> 2, (s.xq >>> 2) + count * rows), count, view.subarray(s.y >>> 2, (s.y >>> 2) + count * cols))
    }
    engine.finalize(s.y, cols, count, s.index, s.levels, s.power, this.colVarPtr, this.outVarK, this.array.readNoiseOn, this.adcStep,
      this.scales.boundOn ? this.scales.boundK : 0, call.keyLo, call.keyHi, s.scales, call.outScale, s.out, s.clipped, s.z, s.maxAbs, s.argMax)
  }

  /** Decides, per vector read in the round, whether its read is final or which level to read next; returns how many are queued again. */
  private settleRound (call: ExecuteCall, count: number, firstRound: boolean): number {
    const { s } = call
    const i32 = this.engine.i32()
    const f32 = this.engine.f32()
    const clippedAt = s.clipped >>> 2
    const maxAbsAt = s.maxAbs >>> 2
    let next = 0
    for (let v = 0; v < count; v++) {
      const b = this.nextB[v]
      const level = this.nextLevel[v]
      const clipped = i32[clippedAt + v] !== 0
      let pending = -1
      if (call.guided) {
        const rms = this.rms[b]
        if (firstRound && rms > 0 && rms < Infinity) this.ratios[call.ratioCount++] = f32[maxAbsAt + v] * (1 << level) / rms
        pending = this.settleLevels(call, v, level, clipped, f32, i32)
      } else if (clipped && this.scales.bmOn && level < this.maxLevel) {
        pending = level + 1
      } else {
        call.reads += level + 1
      }
      if (pending >= 0) {
        this.nextB[next] = b
        this.nextLevel[next++] = pending
      }
    }
    return next
  }

  /**
   * Guided bound management of the vector read `v` of the round: levels below `lowest` are known to clip; settles
   * levels until one needs a full read (returned) or one is final (−1, its reads counted).
   */
  private settleLevels (call: ExecuteCall, v: number, level: number, clipped: boolean, f32: Float32Array, i32: Int32Array): number {
    const { s } = call
    const b = this.nextB[v]
    const maxAbsAt = s.maxAbs >>> 2
    const boundK = this.scales.boundK
    let cur = this.lowest[b]
    let pending = -1
    for (;;) {
      if (cur === level) {
        if (!clipped || cur >= this.maxLevel) break
        cur++
        continue
      }
      // A level whose largest output, scaled from this read, stays well inside the bound will hardly clip:
      // read it in full rather than probe in vain.
      if (f32[maxAbsAt + v] * (cur < level ? 1 << (level - cur) : 1 / (1 << (cur - level))) < PROBE_MIN_BOUND_FRACTION * boundK) {
        pending = cur
        break
      }
      // The read's largest column settles most levels. (Its next largest columns hardly ever clip when it
      // does not: on the benchmark's 512×512 PCM tile, 9 of 365 such levels.)
      const clips = this.engine.probe(call.matrix, s.x, b, cur, s.scales, this.inputScale, this.mode, this.modeLimit, this.rowWeightPtr, s.codes,
        i32[(s.argMax >>> 2) + v], this.colVarPtr, this.outVarK, this.array.readNoiseOn, this.adcStep, boundK, call.keyLo, call.keyHi, s.z)
      if (clips && cur < this.maxLevel) {
        cur++
        continue
      }
      pending = cur
      break
    }
    this.lowest[b] = cur
    if (pending < 0) call.reads += cur + 1
    return pending
  }
}

/** Byte offsets of one execute call's buffers in an engine's memory. */
interface EngineScratch {
  x: number
  xq: number
  y: number
  out: number
  scales: number
  power: number
  index: number
  levels: number
  clipped: number
  z: number
  sumSq: number
  maxAbs: number
  codes: number
  argMax: number
}

interface ScratchRegion {
  ptr: number
  bytes: number
  layout: EngineScratch
  batch: number
  rows: number
  cols: number
}

/**
 * One scratch region per engine, shared by its blocks: calls never overlap (a block's execute runs to the end
 * before another starts), and a region per block would hold batch × (rows + cols) floats for every block of
 * a node.
 */
const scratchRegions = new WeakMap<AnalogEngine, ScratchRegion>()

function engineScratch (engine: AnalogEngine, batch: number, rows: number, cols: number): EngineScratch {
  let region = scratchRegions.get(engine)
  if (region !== undefined && region.batch === batch && region.rows === rows && region.cols === cols) return region.layout
  const align = (bytes: number): number => Math.ceil(bytes / 16) * 16
  const names = ['x', 'xq', 'y', 'out', 'scales', 'power', 'index', 'levels', 'clipped', 'z', 'sumSq', 'maxAbs', 'codes', 'argMax'] as const
  // z holds a read's normals, made four at a time.
  const floats = [batch * rows, batch * rows, batch * cols, batch * cols, batch, batch, batch, batch, batch, cols + 3, batch, batch, rows, batch]
  const sizes = floats.map((count) => align(count * 4))
  const total = sizes.reduce((sum, size) => sum + size, 0)
  if (region === undefined || region.bytes < total) {
    if (region !== undefined) engine.release(region.ptr)
    const bytes = Math.max(total, 2 * (region?.bytes ?? 0))
    region = { ptr: engine.alloc(bytes), bytes, layout: {} as unknown as EngineScratch, batch: 0, rows: 0, cols: 0 }
    scratchRegions.set(engine, region)
  }
  const layout = {} as unknown as Record<typeof names[number], number>
  let at = region.ptr
  names.forEach((name, i) => { layout[name] = at; at += sizes[i] })
  region.layout = layout
  region.batch = batch
  region.rows = rows
  region.cols = cols
  return layout
}

/**
 * A level is probed only when the last full read's largest output, scaled to that level, reaches this fraction of
 * the bound; below it the level is read in full straight away (a probe there almost never finds a clip).
 */
const PROBE_MIN_BOUND_FRACTION = 0.9

/**
 * Median of the largest |z| of `n` independent standard normals: Φ̄(m) = ln 2 / (2n), with Φ̄⁻¹(p) ≈
 * √(L − ln L − ln 2π), L = −2 ln p (asymptotic; within 2 % for n ≥ 16). A starting guess only.
 */
function gaussianMedianMax (n: number): number {
  const big = -2 * Math.log(Math.LN2 / (2 * Math.max(n, 16)))
  return Math.sqrt(big - Math.log(big) - Math.log(2 * Math.PI))
}
