/**
 * @packageDocumentation
 * The computation layer of tessera: emulated RRAM/PCM crossbar tiles with device non-idealities, a batched
 * MVM kernel in WebAssembly SIMD, a tile pool per node and a device-aware partition planner. Knows nothing
 * of libp2p.
 */
export * from './errors.js'
export type { KernelMatrix, MvmKernel } from './kernel.js'
export { createReferenceKernel } from './reference-kernel.js'
export { createWasmKernel, createWasmKernelSync, loadDefaultKernel } from './wasm-kernel.js'
export type { WasmKernel } from './wasm-kernel.js'
export { createRng, hashString } from './random.js'
export type { Rng } from './random.js'
export { createDeviceProfile, validateDeviceProfile, PRESET_NAMES } from './profiles.js'
export type { DeviceModel, DevicePhysics, DeviceProfile, DeviceProfileInit, DeviceTiming, PresetName, TileGeometry } from './profile-types.js'
export { isExactProfile, programAnalogBlock } from './physics-block.js'
export type { AnalogBlock, AnalogBlockInit, DeviceState, ExecuteOptions, ExecuteStats } from './physics-block.js'
export { estimateNoiseLevel } from './physics-noise-level.js'
export {
  pcmDriftFactor, pcmDriftMean, pcmDriftStd, pcmEffectiveTime, pcmProgrammingSigma, pcmReadNoiseQs, pcmReadNoiseTimeFactor
} from './physics-pcm.js'
export { createTile } from './tile.js'
export type { BlockHandle, Tile, TileBlock } from './tile.js'
export { createTilePool } from './tile-pool.js'
export type { BlockSpec, TilePool, TilePoolInit } from './tile-pool.js'
export * as crossbarConstants from './constants.js'
export { planPartition } from './planner.js'
export type { MatrixSpec, PartitionPlan, PlanOptions, PlannedBlock, PlannerDevice, PlannerStrategy } from './planner.js'
export { validatePlan } from './planner-validate.js'
export { programPlannedMatrices } from './planned-matrix.js'
export { copySubmatrix } from './submatrix.js'
export type { MatrixWindow } from './submatrix.js'
export type { PlannedMatrices } from './planned-matrix.js'
