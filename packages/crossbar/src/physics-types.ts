/**
 * The public shapes of a programmed weight block: what `programAnalogBlock` takes, what a block offers, and what
 * one `execute` call accepts and reports. Kept apart from the code so every physics module can name them
 * without importing the composer.
 */
import type { MvmKernel } from './kernel.js'
import type { DeviceProfile } from './profile-types.js'

/** Options of one `execute` call. */
export interface ExecuteOptions {
  /**
   * Time since programming in seconds (drift and accumulated 1/f noise); default 1. The conductances at t are
   * computed once per distinct t (O(rows·cols), cached for the last t), so callers passing wall-clock ages
   * should round them (to seconds or minutes) rather than pass a new value on every call.
   */
  tSeconds?: number
  /** Apply global drift compensation; default: the profile's `driftCompensation` (true where it drifts). */
  driftCompensation?: boolean
  /**
   * Names this call's read and output noise. When given, the noise is a pure function of (block seed, noiseKey,
   * the call's inputs): vector b of a call gets the same noise whatever calls came before, so replaying a call
   * (a retry, a replica with the same seed, requests arriving in another order) gives bit-identical outputs.
   * Equal keys give equal noise, so a caller wanting fresh noise must use a fresh key. Numbers and strings are
   * keyed by their text (`7` and `'7'` are the same key). When absent, the noise comes from the block's own
   * generator, which advances with every call: outputs then depend on the order of calls.
   */
  noiseKey?: number | string
}

/** Estimated device cost of one `execute` call. */
export interface ExecuteStats {
  /** Device time: one MVM latency per analog read (bound-management re-reads included), ns. */
  deviceTimeNs: number
  /** Analog-core energy, pJ. */
  energyPj: number
  /** Multiply-accumulates performed by the analog array (rows × cols per read). */
  macs: number
}

/** Per-device state fixed at programming time (copies; conductances in µS). */
export interface DeviceState {
  /** Programmed conductance of the positive device of each cell (row-major rows × cols), µS. */
  gPlus: Float32Array
  /** Programmed conductance of the negative device, µS. */
  gMinus: Float32Array
  /** Drift exponent of the positive device (zeros for devices that do not drift). */
  nuPlus: Float32Array
  /** Drift exponent of the negative device. */
  nuMinus: Float32Array
  /** 0 = healthy, 1 = stuck at g_min, 2 = stuck at g_max. */
  stuckPlus: Uint8Array
  stuckMinus: Uint8Array
}

/** What `programAnalogBlock` needs. */
export interface AnalogBlockInit {
  profile: DeviceProfile
  /** Row-major `rows × cols` crossbar-orientation weights (rows = inputs). */
  weights: Float32Array
  rows: number
  cols: number
  /** Seed of every random draw of this block (programming, faults, drift exponents, read noise). */
  seed: number | string
  kernel: MvmKernel
  /** Position of the block's first row in its tile (IR drop depends on it); default 0. */
  rowOffset?: number
  /** Position of the block's first column in its tile; default 0. */
  colOffset?: number
  /**
   * Where the per-vector peripherals (DAC, read and output noise, ADC, bound management) run: `auto` (default)
   * uses the WebAssembly module's analog functions (assembly/analog.ts) whenever kernel.wasm is available, with
   * any kernel; `typescript` forces the TypeScript fallback that serves where it is not. Both follow the same
   * model, but draw their noise from different generators, so their outputs differ bit for bit.
   */
  peripherals?: 'auto' | 'typescript'
}

/** A programmed block. */
export interface AnalogBlock {
  readonly rows: number
  readonly cols: number
  /** max |W| of the programmed weights: the weight mapped to g_max. */
  readonly wMax: number
  /** Runs `batch` input vectors (`batch × rows`) and writes `batch × cols` outputs. */
  execute (x: Float32Array, batch: number, out: Float32Array, options?: ExecuteOptions): ExecuteStats
  /** The weights the array holds at time t (drift, faults, quantisation, IR drop; no read noise), row-major. */
  effectiveWeights (tSeconds?: number): Float32Array
  /** Global drift-compensation factor α at time t (cached for the last t). */
  driftCompensationFactor (tSeconds: number): number
  deviceState (): DeviceState
  /** Releases the kernel matrix; the block cannot be executed afterwards. */
  free (): void
}
