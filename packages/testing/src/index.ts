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
