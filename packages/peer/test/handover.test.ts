import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DuplicateShardError, MalformedMessageError, QuotaExceededError, UnknownShardError } from '@tessera/wire'
import { programTestShard, rawExchange, seededFloats, startTileServer, stopAll, TEST_TILE } from './helpers.js'
import type { TesseraNode } from '../src/index.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ShardRequest } from '@tessera/wire'

describe('handing a shard to another PeerId, between four nodes on 127.0.0.1', () => {
  let server: TesseraNode
  let owner: TesseraNode
  let heir: TesseraNode
  let stranger: TesseraNode
  let addr: Multiaddr

  before(async () => {
    // 8 tiles of 64×64, at most 3 per peer.
    ({ server, addr, clients: [owner, heir, stranger] } = await startTileServer({ maxTilesPerPeer: 3 }, 3))
  })
  after(async () => { await stopAll([owner, heir, stranger, server]) })

  const program = async (node: TesseraNode, shardId: string, seed: string, rows = TEST_TILE): Promise<Float32Array> => await programTestShard(node, addr, shardId, seed, rows)
  const input = seededFloats(2 * TEST_TILE, 'handover/x')

  it('moves the shard with its weights: the new owner executes, keeps alive and releases it, the old one gets UNKNOWN_SHARD', async () => {
    await program(owner, 'job/a', 'w/a')
    const before = (await owner.shardClient(addr).execute({ shardId: 'job/a', input, batch: 2 })).output
    const handed = await owner.shardClient(addr).handOver('job/a', heir.peerId)
    assert.equal(handed.newOwner, heir.peerId.toString())
    assert.ok(handed.leaseMs > 0)
    await assert.rejects(owner.shardClient(addr).execute({ shardId: 'job/a', input, batch: 2 }), UnknownShardError)
    assert.deepEqual((await owner.shardClient(addr).keepAlive(['job/a'])).shardIds, [])
    await assert.rejects(owner.shardClient(addr).handOver('job/a', owner.peerId), UnknownShardError)
    await assert.rejects(owner.shardClient(addr).release('job/a'), UnknownShardError)
    // The ideal device has no noise: the same weights give the same outputs, so the heir runs the very shard.
    assert.deepEqual((await heir.shardClient(addr).execute({ shardId: 'job/a', input, batch: 2 })).output, before)
    assert.deepEqual((await heir.shardClient(addr).keepAlive(['job/a'])).shardIds, ['job/a'])
    assert.equal(await heir.shardClient(addr).release('job/a'), 1)
    assert.equal((await owner.shardClient(addr).status()).tilesFree, 8)
  })

  it('another peer\'s hand-over of a shard gets byte for byte the reply for a missing one, and moves nothing', async () => {
    const ask: ShardRequest = { type: 'hand-over', shardId: 'job/b', newOwner: stranger.peerId.toString() }
    const missing = await rawExchange(stranger, addr, ask)
    await program(owner, 'job/b', 'w/b')
    const foreign = await rawExchange(stranger, addr, ask)
    assert.deepEqual(Buffer.from(foreign), Buffer.from(missing))
    await assert.rejects(stranger.shardClient(addr).handOver('job/b', heir.peerId), UnknownShardError)
    await assert.rejects(stranger.shardClient(addr).execute({ shardId: 'job/b', input, batch: 2 }), UnknownShardError)
    await assert.rejects(heir.shardClient(addr).execute({ shardId: 'job/b', input, batch: 2 }), UnknownShardError)
    assert.equal(await owner.shardClient(addr).release('job/b'), 1)
  })

  it('refuses a shard that would take the new owner past its tile quota, and leaves it with its owner', async () => {
    await program(heir, 'mine/0', 'w/m0')
    await program(heir, 'mine/1', 'w/m1')
    // Two tiles (128 rows): the heir holds 2 of 3.
    await program(owner, 'job/c', 'w/c', 2 * TEST_TILE)
    const refusal = await owner.shardClient(addr).handOver('job/c', heir.peerId).then(() => undefined, (err: unknown) => err)
    assert.ok(refusal instanceof QuotaExceededError, String(refusal))
    assert.deepEqual(refusal.quota, { resource: 'tiles', limit: 3, requested: 4 })
    await assert.rejects(heir.shardClient(addr).execute({ shardId: 'job/c', input: seededFloats(2 * 2 * TEST_TILE, 'c'), batch: 2 }), UnknownShardError)
    await owner.shardClient(addr).execute({ shardId: 'job/c', input: seededFloats(2 * 2 * TEST_TILE, 'c'), batch: 2 })
    // The heir's quota was not charged by the refusal: one more tile still fits, and a one-tile shard can be handed.
    await program(owner, 'job/d', 'w/d')
    await owner.shardClient(addr).handOver('job/d', heir.peerId)
    // The owner's own quota was given back: it holds job/c (2 tiles) and can take one more.
    await program(owner, 'job/e', 'w/e')
    for (const id of ['mine/0', 'mine/1', 'job/d']) await heir.shardClient(addr).release(id)
    for (const id of ['job/c', 'job/e']) await owner.shardClient(addr).release(id)
    assert.equal((await owner.shardClient(addr).status()).tilesFree, 8)
  })

  it('refuses an id the new owner already holds and a new owner that is not a PeerId; the old owner may reuse the id after', async () => {
    await program(owner, 'job/f', 'w/f-owner')
    await program(heir, 'job/f', 'w/f-heir')
    await assert.rejects(owner.shardClient(addr).handOver('job/f', heir.peerId), DuplicateShardError)
    await assert.rejects(owner.shardClient(addr).handOver('job/f', 'not-a-peer-id'), MalformedMessageError)
    await heir.shardClient(addr).release('job/f')
    const ownerOut = (await owner.shardClient(addr).execute({ shardId: 'job/f', input, batch: 2 })).output
    await owner.shardClient(addr).handOver('job/f', heir.peerId)
    // The handed shard still holds its executor key: a new shard of the old owner under the same id gets another one.
    await program(owner, 'job/f', 'w/f-again')
    const againOut = (await owner.shardClient(addr).execute({ shardId: 'job/f', input, batch: 2 })).output
    assert.notDeepEqual(againOut, ownerOut)
    assert.deepEqual((await heir.shardClient(addr).execute({ shardId: 'job/f', input, batch: 2 })).output, ownerOut)
    assert.equal(await heir.shardClient(addr).release('job/f'), 1)
    assert.equal(await owner.shardClient(addr).release('job/f'), 1)
    assert.equal((await owner.shardClient(addr).status()).tilesFree, 8)
  })
})
