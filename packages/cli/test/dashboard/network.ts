// Small live networks for the dashboard tests: real tessera nodes on 127.0.0.1 with short record and gossip
// periods, and a synthetic two-layer job to run through them.
import { createRng } from '@tessera/crossbar'
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode, TesseraNodeInit } from '@tessera/peer'
import type { ModelJob } from '@tessera/coordinator'
import { startBootstrappedNodes, stopAll } from '@tessera/testing'

/** Short periods, so that records, gossip and discovery settle in seconds. */
export const FAST: TesseraNodeInit = {
  network: 'local',
  device: 'ideal',
  tiles: 4,
  calibrate: false,
  recordTtlMs: 10_000,
  recordRefreshMs: 1_000,
  metricsIntervalMs: 300,
  redialIntervalMs: 300,
  dhtTimeoutMs: 10_000
}

/** Starts `n` serving nodes, every one after the first bootstrapped from the first. */
export async function startNodes (n: number, init: TesseraNodeInit = {}): Promise<TesseraNode[]> {
  return await startBootstrappedNodes(n, async (bootstrap) => await createTesseraNode({ ...FAST, ...init, ...(bootstrap !== undefined ? { bootstrap } : {}) }))
}

/** A client-only node joined through `through`. */
export async function startClient (through: TesseraNode): Promise<TesseraNode> {
  return await createTesseraNode({ ...FAST, serve: false, bootstrap: [through.getMultiaddrs()[0].toString()] })
}

export { stopAll }

function seeded (n: number, rng: ReturnType<typeof createRng>): Float32Array {
  return Float32Array.from({ length: n }, () => rng.nextFloat() * 2 - 1)
}

/** A seeded 64-32-10 MLP job and 16 input vectors for it. */
export function syntheticJob (seed = 'dashboard'): { job: ModelJob, inputs: Float32Array } {
  const rng = createRng(seed)
  const layer = (id: string, inputs: number, outputs: number, last: boolean): ModelJob['layers'][number] => ({
    id, inputs, outputs, weights: seeded(inputs * outputs, rng), bias: seeded(outputs, rng), activation: last ? 'identity' : 'relu', sensitivity: last ? 1 : 0
  })
  return { job: { name: 'synthetic', layers: [layer('dense0', 64, 32, false), layer('dense1', 32, 10, true)] }, inputs: seeded(16 * 64, rng) }
}
