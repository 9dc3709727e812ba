import { createRng } from '@tessera/crossbar'
import { signCapacityRecord } from '@tessera/memory'
import type { CapacityRecord } from '@tessera/memory'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { startBootstrappedNodes, stopAll, withTempDir as withTempDirNamed } from '@tessera/testing'
import { createTesseraNode } from '../src/index.js'
import type { TesseraNode, TesseraNodeInit } from '../src/index.js'

/** Short periods so the DHT tests settle in seconds, not minutes. */
export const FAST: TesseraNodeInit = {
  network: 'local',
  device: 'ideal',
  tiles: 4,
  calibrate: false,
  recordTtlMs: 4_000,
  recordRefreshMs: 1_000,
  metricsIntervalMs: 300,
  redialIntervalMs: 300,
  dhtTimeoutMs: 10_000
}

/** Starts `n` nodes on 127.0.0.1, every one after the first bootstrapped from the first. */
export async function startNodes (n: number, init: TesseraNodeInit = {}): Promise<TesseraNode[]> {
  return await startBootstrappedNodes(n, async (bootstrap) => await createTesseraNode({ ...FAST, ...init, ...(bootstrap !== undefined ? { bootstrap } : {}) }))
}

export { stopAll }

/** Polls `check` every `intervalMs` until it returns a value or `timeoutMs` passes (then throws with `what`). */
export async function waitFor<T> (what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (err) {
      last = err
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new Error(`timed out waiting for ${what}${last != null ? `: ${String(last)}` : ''}`)
}

export async function withTempDir<T> (fn: (dir: string) => Promise<T>): Promise<T> {
  return await withTempDirNamed('tessera-node-test-', fn)
}

/**
 * A capacity record of the peer of `key` issued at `nowMs` (sequence `nowMs`, a minute to live) with `fields`
 * replaced, signed with the key.
 */
export async function signedRecordOf (key: PrivateKey, nowMs: number, fields: Partial<CapacityRecord> = {}): Promise<Uint8Array> {
  return await signCapacityRecord({
    peerId: peerIdFromPrivateKey(key).toString(),
    device: { preset: 'ideal', geometry: { rows: 256, cols: 256 }, noiseLevel: 0 },
    tilesTotal: 32,
    tilesFree: 32,
    throughputGflopPerSecond: 1,
    queueDepth: 0,
    reachability: 'public',
    natKind: 'none',
    addresses: ['/ip4/127.0.0.1/tcp/4001'],
    sequence: nowMs,
    issuedAtMs: nowMs,
    expiresAtMs: nowMs + 60_000,
    ...fields
  }, key)
}

/** Seeded floats in [-1, 1), from the crossbar's generator. */
export function seededFloats (n: number, seed: number | string): Float32Array {
  const rng = createRng(seed)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.nextFloat() * 2 - 1
  return out
}
