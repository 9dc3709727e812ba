import assert from 'node:assert/strict'
import { lpStream } from '@libp2p/utils'
import { after, before, describe, it } from 'node:test'
import {
  MAX_FRAME_SIZE_BYTES, QuotaExceededError, SHARD_PROTOCOL, UnknownShardError, createProgramUpload, encodeShardRequest
} from '@tessera/wire'
import { programTestShard, rawExchange, seededFloats, startTileServer, stopAll, TEST_TILE, waitFor } from './helpers.js'
import type { LeaseExpiry, TesseraNode } from '../src/index.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ShardRequest } from '@tessera/wire'

describe('shard ownership, quotas and leases between three nodes on 127.0.0.1', () => {
  let server: TesseraNode
  let owner: TesseraNode
  let stranger: TesseraNode
  let addr: Multiaddr
  const expired: LeaseExpiry[] = []

  before(async () => {
    // 8 tiles of 64×64, at most 4 per peer, one upload at a time per peer, leases of 3 s.
    ({ server, addr, clients: [owner, stranger] } = await startTileServer({ maxTilesPerPeer: 4, maxPendingUploadsPerPeer: 1, leaseMs: 3_000, idleTimeoutMs: 1_000 }, 2))
    server.addEventListener('shard:lease-expired', (evt) => { expired.push(evt.detail) })
  })
  after(async () => { await stopAll([owner, stranger, server]) })

  const program = async (node: TesseraNode, shardId: string, seed: string): Promise<Float32Array> => await programTestShard(node, addr, shardId, seed)
  const input = seededFloats(2 * TEST_TILE, 'ownership/x')

  it('another peer\'s execute, release and keep-alive of a shard get byte for byte the answer for a missing shard, 0 of 60 succeed', async () => {
    const asks: ShardRequest[] = [
      { type: 'execute', requestId: 7, shardId: 'run/a', batch: 2, rows: TEST_TILE, input },
      { type: 'release', shardId: 'run/a' },
      { type: 'keep-alive', shardIds: ['run/a'] }
    ]
    const missing = await Promise.all(asks.map(async (ask) => await rawExchange(stranger, addr, ask)))
    await program(owner, 'run/a', 'w/a')
    const before = (await owner.shardClient(addr).execute({ shardId: 'run/a', input, batch: 2 })).output
    const foreign = await Promise.all(asks.map(async (ask) => await rawExchange(stranger, addr, ask)))
    for (let i = 0; i < asks.length; i++) assert.deepEqual(Buffer.from(foreign[i]), Buffer.from(missing[i]), asks[i].type)
    let succeeded = 0
    for (let i = 0; i < 30; i++) {
      await stranger.shardClient(addr).release('run/a').then(() => { succeeded++ }, (err) => { assert.ok(err instanceof UnknownShardError, String(err)) })
      await stranger.shardClient(addr).execute({ shardId: 'run/a', input, batch: 2 }).then(() => { succeeded++ }, (err) => { assert.ok(err instanceof UnknownShardError, String(err)) })
    }
    assert.equal(succeeded, 0)
    assert.deepEqual((await stranger.shardClient(addr).keepAlive(['run/a'])).shardIds, [])
    // The owner's shard is untouched.
    assert.deepEqual((await owner.shardClient(addr).execute({ shardId: 'run/a', input, batch: 2 })).output, before)
    assert.deepEqual((await owner.shardClient(addr).keepAlive(['run/a', 'run/zz'])).shardIds, ['run/a'])
    assert.equal(await owner.shardClient(addr).release('run/a'), 1)
  })

  it('a stranger programming the same id gets a shard of its own; the owner\'s keeps its weights', async () => {
    await program(owner, 'run/b', 'w/b-owner')
    const ownerOut = (await owner.shardClient(addr).execute({ shardId: 'run/b', input, batch: 2 })).output
    await program(stranger, 'run/b', 'w/b-stranger')
    const strangerOut = (await stranger.shardClient(addr).execute({ shardId: 'run/b', input, batch: 2 })).output
    assert.notDeepEqual(strangerOut, ownerOut)
    assert.deepEqual((await owner.shardClient(addr).execute({ shardId: 'run/b', input, batch: 2 })).output, ownerOut)
    assert.equal(await stranger.shardClient(addr).release('run/b'), 1)
    assert.equal(await owner.shardClient(addr).release('run/b'), 1)
  })

  it('one peer takes at most its tile quota; the refusal says tiles, the limit and the amount, and others still get tiles', async () => {
    for (let i = 0; i < 4; i++) await program(stranger, `greedy/${i}`, `w/g${i}`)
    const refusal = await stranger.shardClient(addr).program({ shardId: 'greedy/4', weights: seededFloats(TEST_TILE * TEST_TILE, 'g4'), rows: TEST_TILE, cols: TEST_TILE, seed: 1 }).then(() => undefined, (err: unknown) => err)
    assert.ok(refusal instanceof QuotaExceededError, String(refusal))
    assert.deepEqual(refusal.quota, { resource: 'tiles', limit: 4, requested: 5 })
    await program(owner, 'run/c', 'w/c')
    for (let i = 0; i < 4; i++) await stranger.shardClient(addr).release(`greedy/${i}`)
    await owner.shardClient(addr).release('run/c')
  })

  it('frees the tiles of an upload that stalls after its first frame, and counts it as the peer\'s pending upload meanwhile', async () => {
    const upload = createProgramUpload({ shardId: 'stall', weights: seededFloats(TEST_TILE * TEST_TILE, 'stall'), rows: TEST_TILE, cols: TEST_TILE, seed: 1 })
    const stream = await stranger.libp2p.dialProtocol(addr, SHARD_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_SIZE_BYTES })
    await lp.write(encodeShardRequest(upload.begin))
    await lp.read({ signal: AbortSignal.timeout(5_000) }) // program-ready: the tile is reserved
    const second = await stranger.shardClient(addr).program({ shardId: 'other', weights: seededFloats(TEST_TILE * TEST_TILE, 'o'), rows: TEST_TILE, cols: TEST_TILE, seed: 1 }).then(() => undefined, (err: unknown) => err)
    assert.ok(second instanceof QuotaExceededError, String(second))
    assert.equal(second.quota?.resource, 'pending-uploads')
    const status = await waitFor('the stalled reservation to be freed', async () => {
      const s = await owner.shardClient(addr).status()
      return s.tilesFree === s.tilesTotal ? s : undefined
    }, 10_000)
    assert.equal(status.shardsHeld, 0)
    stream.abort(new Error('test done'))
  })

  it('frees a shard whose lease runs out without executes or keep-alives, and answers its owner UNKNOWN_SHARD after', async () => {
    await program(owner, 'run/lease', 'w/lease')
    const expiry = await waitFor('the lease to expire', () => expired.find((e) => e.shardId === 'run/lease'), 10_000)
    assert.equal(expiry.owner, owner.peerId.toString())
    assert.equal(expiry.tilesFreed, 1)
    await assert.rejects(owner.shardClient(addr).execute({ shardId: 'run/lease', input, batch: 2 }), UnknownShardError)
    assert.deepEqual((await owner.shardClient(addr).keepAlive(['run/lease'])).shardIds, [])
  })
})
