import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createDeviceProfile, createTilePool } from '@tessera/crossbar'
import { DuplicateShardError, InsufficientCapacityError, NonFiniteValueError, ShapeMismatchError, UnexpectedMessageError, UnknownShardError } from '@tessera/wire'
import { referenceProduct } from '@tessera/testing'
import { ShardExecutor } from '../../src/index.js'
import { seededFloats } from '../helpers.js'

function executor (preset: 'ideal' | 'pcm', tiles: number, size = 128): ShardExecutor {
  return new ShardExecutor(createTilePool({ profile: createDeviceProfile(preset, { rows: size, cols: size }), tiles }))
}

/** Two PCM executors holding the same 260×140 shard `s` (seed 9, weights from `tag`), and a 4-vector input. */
function twinExecutors (tag: string): { a: ShardExecutor, b: ShardExecutor, x: Float32Array } {
  const w = seededFloats(260 * 140, `w${tag}`)
  const [a, b] = [executor('pcm', 8), executor('pcm', 8)]
  for (const ex of [a, b]) ex.programShard('s', 260, 140, w, 9)
  return { a, b, x: seededFloats(4 * 260, `x${tag}`) }
}

describe('ShardExecutor', () => {
  it('cuts a shard into a grid of tiles and sums row blocks: ideal device equals x·W', () => {
    const rows = 300
    const cols = 200
    const batch = 5
    const ex = executor('ideal', 8)
    const w = seededFloats(rows * cols, 'w')
    const x = seededFloats(batch * rows, 'x')
    assert.equal(ex.tilesFor(rows, cols), 6)
    assert.deepEqual(ex.programShard('s', rows, cols, w, 1), { tilesUsed: 6 })
    assert.equal(ex.status().tilesFree, 2)
    const { output, stats } = ex.execute('s', x, batch)
    assert.equal(stats.macs, batch * rows * cols)
    let worst = 0
    const { exact, magnitude } = referenceProduct(x, w, batch, rows, cols)
    for (let k = 0; k < batch * cols; k++) worst = Math.max(worst, Math.abs(output[k] - exact[k]) / magnitude[k])
    // float32 accumulation over 300 terms: relative error well under 300 × 2^-24 of the absolute sum.
    assert.ok(worst < rows * 2 ** -24, `worst relative error ${worst}`)
  })

  it('a single-tile shard is the pool block programmed with the same seed, bit for bit', () => {
    const pool = createTilePool({ profile: createDeviceProfile('pcm', { rows: 128, cols: 128 }), tiles: 2 })
    const ex = executor('pcm', 2)
    const w = seededFloats(100 * 90, 'w1')
    const x = seededFloats(3 * 100, 'x1')
    ex.programShard('s', 100, 90, w, 'seed-a')
    const block = pool.programBlock(pool.allocateTile(), { weights: w, rows: 100, cols: 90, rowOffset: 0, colOffset: 0, seed: 'seed-a' })
    const direct = new Float32Array(3 * 90)
    for (let i = 0; i < 2; i++) {
      pool.execute(block, x, 3, direct)
      assert.deepEqual(ex.execute('s', x, 3).output, direct)
    }
  })

  it('the same calls give bit-identical outputs on two executors (noisy device)', () => {
    const { a, b, x } = twinExecutors('2')
    const ya = a.execute('s', x, 4)
    const yb = b.execute('s', x, 4)
    assert.deepEqual(ya.output, yb.output)
    assert.notDeepEqual(a.execute('s', x, 4).output, ya.output, 'read noise advances per call')
  })

  it('a noise key fixes the noise of every block of a multi-tile shard, whatever calls came before', () => {
    const { a, b, x } = twinExecutors('3')
    const keyed = a.execute('s', x, 4, { noiseKey: 'k' }).output
    b.execute('s', x, 4)
    b.execute('s', x, 4, { noiseKey: 'other' })
    assert.deepEqual(b.execute('s', x, 4, { noiseKey: 'k' }).output, keyed)
    assert.deepEqual(a.execute('s', x, 4, { noiseKey: 'k' }).output, keyed)
    assert.notDeepEqual(a.execute('s', x, 4, { noiseKey: 'k2' }).output, keyed)
  })

  it('reserving beyond free tiles fails with InsufficientCapacityError and allocates nothing', () => {
    const ex = executor('ideal', 3)
    assert.throws(() => ex.reserve('big', 129, 257), InsufficientCapacityError)
    assert.equal(ex.status().tilesFree, 3)
    assert.equal(ex.has('big'), false)
  })

  it('rejects duplicate ids, unknown shards, wrong shapes and non-finite values with named errors', () => {
    const ex = executor('ideal', 4)
    ex.reserve('a', 10, 10)
    assert.throws(() => ex.reserve('a', 10, 10), DuplicateShardError)
    assert.throws(() => ex.execute('a', new Float32Array(10), 1), UnknownShardError, 'reserved but not programmed')
    assert.throws(() => ex.program('a', new Float32Array(99), 1), ShapeMismatchError)
    const w = new Float32Array(100)
    w[37] = Number.NaN
    assert.throws(() => ex.program('a', w, 1), NonFiniteValueError)
    ex.program('a', new Float32Array(100), 1)
    assert.throws(() => ex.program('a', new Float32Array(100), 1), UnexpectedMessageError)
    assert.throws(() => ex.execute('a', new Float32Array(11), 1), ShapeMismatchError)
    assert.throws(() => ex.execute('a', new Float32Array([...new Float32Array(9), Infinity]), 1), NonFiniteValueError)
    assert.throws(() => ex.execute('nope', new Float32Array(10), 1), UnknownShardError)
    assert.throws(() => ex.release('nope'), UnknownShardError)
    assert.throws(() => ex.reserve('z', 0, 5), ShapeMismatchError)
  })

  it('a failed programShard leaves no tiles behind; release frees every tile', () => {
    const ex = executor('ideal', 4)
    const bad = new Float32Array(200 * 200)
    bad[5] = Number.POSITIVE_INFINITY
    assert.throws(() => ex.programShard('s', 200, 200, bad, 1), NonFiniteValueError)
    assert.equal(ex.status().tilesFree, 4)
    ex.programShard('s', 200, 200, new Float32Array(200 * 200), 1)
    assert.equal(ex.status().tilesFree, 0)
    assert.equal(ex.status().shardsHeld, 1)
    assert.deepEqual(ex.release('s'), { tilesFreed: 4 })
    assert.equal(ex.status().tilesFree, 4)
    assert.equal(ex.status().shardsHeld, 0)
  })
})
