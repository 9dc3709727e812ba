/**
 * Helpers the test suites of several packages share (private: never published, never imported by a package's
 * src). It depends on no tessera package, so the tests of any layer may use it without a build cycle: node
 * starting takes the package's own `start` function.
 *
 * @example
 * ```ts
 * import { withTempDir } from '@tessera/testing'
 *
 * await withTempDir('tessera-peer-test-', async (dir) => { await writeFile(join(dir, 'key'), bytes) })
 * ```
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Runs `fn` with a fresh temporary directory named `prefix…`, removed afterwards whatever happens. */
export async function withTempDir<T> (prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  try {
    return await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** What {@link startBootstrappedNodes} needs of a node. */
export interface StartableNode {
  getMultiaddrs: () => Array<{ toString: () => string }>
  stop: () => Promise<void>
}

/** Stops every node given (undefined ones skipped), waiting for all whatever their outcome. */
export async function stopAll (nodes: Array<StartableNode | undefined>): Promise<void> {
  await Promise.allSettled(nodes.map(async (n) => { await n?.stop() }))
}

/**
 * Starts `n` nodes with `start`, every one after the first bootstrapped from the first one's first address; when
 * one fails to start, those started are stopped and the failure is thrown.
 */
export async function startBootstrappedNodes<N extends StartableNode> (n: number, start: (bootstrap?: string[]) => Promise<N>): Promise<N[]> {
  const first = await start()
  const nodes = [first]
  try {
    const bootstrap = [first.getMultiaddrs()[0].toString()]
    nodes.push(...await Promise.all(Array.from({ length: n - 1 }, async () => await start(bootstrap))))
  } catch (err) {
    await stopAll(nodes)
    throw err
  }
  return nodes
}

/**
 * A capacity record's fields (the `CapacityRecord` of packages/memory/src/capacity-record.ts) for a test: a public
 * peer on 127.0.0.1:4001 with 32 free tiles of an ideal 256×256 device at 1 GFLOP/s, sequence 1, issued at 0 and
 * valid for a minute, with `overrides` in their place. Unsigned: a test signs it with the memory package's
 * `signCapacityRecord` where it needs the bytes.
 */
export function capacityRecordFields<T extends object> (peerId: string, overrides: T) {
  return {
    peerId,
    device: { preset: 'ideal', geometry: { rows: 256, cols: 256 }, noiseLevel: 0 },
    tilesTotal: 32,
    tilesFree: 32,
    throughputGflopPerSecond: 1,
    queueDepth: 0,
    reachability: 'public' as const,
    natKind: 'none' as const,
    addresses: ['/ip4/127.0.0.1/tcp/4001'],
    sequence: 1,
    issuedAtMs: 0,
    expiresAtMs: 60_000,
    ...overrides
  }
}

/** The float64 reference of a batched product `x · w` and the magnitude it is the sum of, per output. */
export interface ReferenceProduct {
  /** Σᵢ x[v,i]·w[i,j] in float64, batch-major (`batch × cols`). */
  exact: Float64Array
  /** Σᵢ |x[v,i]·w[i,j]|: the scale a float32 sum's rounding error grows with. */
  magnitude: Float64Array
}

/** The float64 product of `x` (`batch × rows`, row-major) and `w` (`rows × cols`, row-major). */
export function referenceProduct (x: ArrayLike<number>, w: ArrayLike<number>, batch: number, rows: number, cols: number): ReferenceProduct {
  const exact = new Float64Array(batch * cols)
  const magnitude = new Float64Array(batch * cols)
  for (let v = 0; v < batch; v++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0
      let mag = 0
      for (let i = 0; i < rows; i++) {
        const term = x[v * rows + i] * w[i * cols + j]
        sum += term
        mag += Math.abs(term)
      }
      exact[v * cols + j] = sum
      magnitude[v * cols + j] = mag
    }
  }
  return { exact, magnitude }
}

/**
 * Settings of a tessera node for tests on loopback: an ideal device with few tiles, no calibration, and record,
 * gossip and re-dial periods of seconds so that the DHT settles within a test (spread into a node's init).
 */
export const FAST_LOCAL_NODE = Object.freeze({
  network: 'local' as const,
  device: 'ideal' as const,
  tiles: 4,
  calibrate: false,
  recordTtlMs: 4_000,
  recordRefreshMs: 1_000,
  metricsIntervalMs: 300,
  redialIntervalMs: 300,
  dhtTimeoutMs: 10_000
})
