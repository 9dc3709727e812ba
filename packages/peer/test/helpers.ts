import { lpStream } from '@libp2p/utils'
import { MAX_FRAME_SIZE_BYTES, SHARD_PROTOCOL, encodeShardRequest } from '@tessera/wire'
import type { ShardRequest } from '@tessera/wire'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createDeviceProfile, createRng } from '@tessera/crossbar'
import { signCapacityRecord } from '@tessera/memory'
import type { CapacityRecord } from '@tessera/memory'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { capacityRecordFields, FAST_LOCAL_NODE, startBootstrappedNodes, stopAll, withTempDir as withTempDirNamed } from '@tessera/testing'
import { createTesseraNode } from '../src/index.js'
import type { ShardServiceInit, TesseraNode, TesseraNodeInit } from '../src/index.js'

/** Short periods so the DHT tests settle in seconds, not minutes. */
export const FAST: TesseraNodeInit = FAST_LOCAL_NODE

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
  return await signCapacityRecord(capacityRecordFields(peerIdFromPrivateKey(key).toString(), { sequence: nowMs, issuedAtMs: nowMs, expiresAtMs: nowMs + 60_000, ...fields }), key)
}

/** Seeded floats in [-1, 1), from the crossbar's generator. */
export function seededFloats (n: number, seed: number | string): Float32Array {
  const rng = createRng(seed)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.nextFloat() * 2 - 1
  return out
}

/** Sends one request on a fresh stream and returns the raw bytes of the reply frame (to compare replies byte for byte). */
export async function rawExchange (from: TesseraNode, addr: Multiaddr, request: ShardRequest): Promise<Uint8Array> {
  const stream = await from.libp2p.dialProtocol(addr, SHARD_PROTOCOL)
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME_SIZE_BYTES })
  await lp.write(encodeShardRequest(request))
  const reply = (await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray()
  await stream.close()
  return reply
}

/** Side of the tiles of a {@link startTileServer} node. */
export const TEST_TILE = 64

/** A node on 127.0.0.1 serving 8 ideal tiles of {@link TEST_TILE} × TEST_TILE, and client-only nodes that call it. */
export interface TileServer {
  server: TesseraNode
  /** The server's first address. */
  addr: Multiaddr
  clients: TesseraNode[]
}

/**
 * Starts a {@link TileServer} whose shard service has the `shard` limits, with `clients` client-only nodes; when one
 * fails to start, those started are stopped and the failure is thrown.
 */
export async function startTileServer (shard: ShardServiceInit, clients: number): Promise<TileServer> {
  const device = createDeviceProfile('ideal', { rows: TEST_TILE, cols: TEST_TILE })
  const server = await createTesseraNode({ network: 'local', device, tiles: 8, calibrate: false, shard })
  const nodes = [server]
  try {
    for (let i = 0; i < clients; i++) nodes.push(await createTesseraNode({ network: 'local', serve: false }))
  } catch (err) {
    await stopAll(nodes)
    throw err
  }
  return { server, addr: server.getMultiaddrs()[0], clients: nodes.slice(1) }
}

/** Programs seeded weights of `rows × TEST_TILE` as `node`'s shard `shardId` on the server at `addr`; returns them. */
export async function programTestShard (node: TesseraNode, addr: Multiaddr, shardId: string, seed: string, rows = TEST_TILE): Promise<Float32Array> {
  const weights = seededFloats(rows * TEST_TILE, seed)
  await node.shardClient(addr).program({ shardId, weights, rows, cols: TEST_TILE, seed: 1 })
  return weights
}
