/**
 * @packageDocumentation
 * The computation layer of tessera: emulated RRAM/PCM crossbar tiles with device non-idealities, a batched
 * MVM kernel in WebAssembly SIMD, a tile pool per node and a device-aware partition planner. Knows nothing
 * of libp2p.
 */
export * from './errors.js'
export type { KernelMatrix, MvmKernel } from './kernel.js'
export { createReferenceKernel } from './reference-kernel.js'
export { createRng, hashString } from './random.js'
export type { Rng } from './random.js'
