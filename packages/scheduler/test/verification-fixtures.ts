/**
 * Seeded honest devices and cheaters for the verification tests: a shard programmed on real crossbar tiles of a
 * preset (cut into tile-sized blocks and summed over row blocks as a peer's executor does), inputs like the
 * MNIST pipeline's (non-negative, sparse) or signed.
 */
import { createDeviceProfile, createRng, createTilePool } from '@tessera/crossbar'
import type { DeviceProfile, PresetName } from '@tessera/crossbar'

/** A device of `preset` on tiles of `tile × tile`. */
export function deviceOf (preset: PresetName, tile: number): DeviceProfile {
  return createDeviceProfile(preset, { rows: tile, cols: tile })
}

/** Gaussian weights, `rows × cols`, with a fraction `zeros` of exact zeros (padding of a shard's extent). */
export function randomWeights (rows: number, cols: number, seed: string, zeroCols = 0): Float32Array {
  const rng = createRng(seed)
  const w = new Float32Array(rows * cols)
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols - zeroCols; j++) w[i * cols + j] = rng.nextNormal() * 0.1
  }
  return w
}

/** `batch × rows` inputs: MNIST-like (non-negative, about half zeros) or signed uniform on [−1, 1]. */
export function randomInputs (rows: number, batch: number, seed: string, kind: 'sparse' | 'signed'): Float32Array {
  const rng = createRng(seed)
  const x = new Float32Array(rows * batch)
  for (let i = 0; i < x.length; i++) {
    if (kind === 'signed') x[i] = rng.nextFloat() * 2 - 1
    else x[i] = rng.nextFloat() < 0.5 ? 0 : rng.nextFloat()
  }
  return x
}

/** An honest device holding `weights`: answers batches as a peer's executor would (row blocks summed). */
export function honestDevice (profile: DeviceProfile, weights: Float32Array, rows: number, cols: number, seed: string, tSeconds: number): (x: Float32Array, batch: number, noiseKey: string) => Float32Array {
  const g = profile.geometry
  const blocksDown = Math.ceil(rows / g.rows)
  const blocksAcross = Math.ceil(cols / g.cols)
  const pool = createTilePool({ profile, tiles: blocksDown * blocksAcross })
  const handles: Array<{ r0: number, rows: number, c0: number, cols: number, handle: ReturnType<typeof pool.programBlock> }> = []
  for (let bi = 0; bi < blocksDown; bi++) {
    for (let bj = 0; bj < blocksAcross; bj++) {
      const r0 = bi * g.rows
      const c0 = bj * g.cols
      const br = Math.min(g.rows, rows - r0)
      const bc = Math.min(g.cols, cols - c0)
      const w = new Float32Array(br * bc)
      for (let i = 0; i < br; i++) w.set(weights.subarray((r0 + i) * cols + c0, (r0 + i) * cols + c0 + bc), i * bc)
      const tile = pool.allocateTile()
      const blockSeed = blocksDown * blocksAcross === 1 ? seed : `${seed}/${bi}/${bj}`
      handles.push({ r0, rows: br, c0, cols: bc, handle: pool.programBlock(tile, { weights: w, rows: br, cols: bc, rowOffset: 0, colOffset: 0, seed: blockSeed }) })
    }
  }
  return (x, batch, noiseKey) => {
    const y = new Float32Array(batch * cols)
    for (const h of handles) {
      const xs = new Float32Array(batch * h.rows)
      for (let b = 0; b < batch; b++) xs.set(x.subarray(b * rows + h.r0, b * rows + h.r0 + h.rows), b * h.rows)
      const ys = new Float32Array(batch * h.cols)
      pool.execute(h.handle, xs, batch, ys, { tSeconds, noiseKey })
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < h.cols; j++) y[b * cols + h.c0 + j] += ys[b * h.cols + j]
      }
    }
    return y
  }
}

/** `y` plus Gaussian noise of `relative` × the RMS of `y`, per output. */
export function perturb (y: Float32Array, relative: number, seed: string): Float32Array {
  const rng = createRng(seed)
  let ss = 0
  for (const v of y) ss += v * v
  const rms = Math.sqrt(ss / y.length)
  return Float32Array.from(y, (v) => v + relative * rms * rng.nextNormal())
}
