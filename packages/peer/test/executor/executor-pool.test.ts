import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createDeviceProfile, createTilePool } from '@tessera/crossbar'
import { DuplicateShardError, InsufficientCapacityError, UnknownShardError } from '@tessera/wire'
import { ExecutorPool, InvalidNodeOptionError, ShardExecutor, pickThread, splitTiles } from '../../src/index.js'
import { seededFloats } from '../helpers.js'

const SIZE = 64

describe('splitTiles and pickThread', () => {
  it('splits tiles as evenly as possible and never starts a thread without tiles', () => {
    assert.deepEqual(splitTiles(32, 2), [16, 16])
    assert.deepEqual(splitTiles(7, 3), [3, 2, 2])
    assert.deepEqual(splitTiles(2, 4), [1, 1])
  })

  it('puts a shard on the thread with room that holds the fewest shards, then the most free tiles', () => {
    assert.equal(pickThread([{ tilesFree: 4, shardsHeld: 2 }, { tilesFree: 1, shardsHeld: 1 }], 1), 1)
    assert.equal(pickThread([{ tilesFree: 4, shardsHeld: 2 }, { tilesFree: 1, shardsHeld: 1 }], 2), 0)
    assert.equal(pickThread([{ tilesFree: 2, shardsHeld: 1 }, { tilesFree: 3, shardsHeld: 1 }], 1), 1)
    assert.equal(pickThread([{ tilesFree: 1, shardsHeld: 0 }, { tilesFree: 1, shardsHeld: 0 }], 2), undefined)
  })
})

describe('ExecutorPool', () => {
  it('spreads shards over its threads and answers bit for bit what one in-process executor answers', async () => {
    const profile = createDeviceProfile('pcm', { rows: SIZE, cols: SIZE })
    const pool = await ExecutorPool.start({ profile, tiles: 4, threads: 2, calibrate: false })
    const local = new ShardExecutor(createTilePool({ profile, tiles: 4 }))
    try {
      assert.equal(pool.threadCount(), 2)
      assert.equal(pool.tilesTotal, 4)
      const shards = ['a', 'b', 'c']
      for (const id of shards) {
        const w = seededFloats(SIZE * SIZE, `w/${id}`)
        await pool.reserve(id, SIZE, SIZE)
        await pool.program(id, w, `seed/${id}`)
        local.programShard(id, SIZE, SIZE, w, `seed/${id}`)
      }
      const status = await pool.status()
      assert.equal(status.shardsHeld, 3)
      assert.equal(status.tilesFree, 1)
      for (const id of shards) {
        const x = seededFloats(8 * SIZE, `x/${id}`)
        const remote = await pool.execute(id, x, 8, { noiseKey: `k/${id}` })
        assert.deepEqual(remote.output, local.execute(id, x, 8, { noiseKey: `k/${id}` }).output)
      }
      await assert.rejects(pool.reserve('a', SIZE, SIZE), DuplicateShardError)
      await assert.rejects(pool.execute('zzz', new Float32Array(SIZE), 1), UnknownShardError)
      assert.deepEqual(await pool.release('b'), { tilesFreed: 1 })
      await assert.rejects(pool.execute('b', new Float32Array(SIZE), 1), UnknownShardError)
      assert.equal((await pool.status()).tilesFree, 2)
    } finally {
      await pool.stop()
    }
  })

  it('a shard must fit on one thread: two free tiles on two threads do not take a two-tile shard', async () => {
    const profile = createDeviceProfile('ideal', { rows: SIZE, cols: SIZE })
    const pool = await ExecutorPool.start({ profile, tiles: 2, threads: 2, calibrate: false })
    try {
      await assert.rejects(pool.reserve('wide', SIZE, 2 * SIZE), InsufficientCapacityError)
      // Concurrent reservations see each other's tiles in flight: two fit, the third is refused.
      const results = await Promise.allSettled(['p', 'q', 'r'].map(async (id) => await pool.reserve(id, SIZE, SIZE)))
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected'])
    } finally {
      await pool.stop()
    }
  })

  it('refuses a thread count that is not a positive integer before starting anything', async () => {
    await assert.rejects(ExecutorPool.start({ profile: createDeviceProfile('ideal'), tiles: 2, threads: 0 }), InvalidNodeOptionError)
  })
})
