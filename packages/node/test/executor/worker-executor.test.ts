import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createDeviceProfile, createTilePool } from '@tessera/crossbar'
import { InsufficientCapacityError, UnknownShardError } from '@tessera/wire'
import { ExecutorStoppedError, ShardExecutor, WorkerExecutor } from '../../src/index.js'
import { seededFloats } from '../helpers.js'

describe('WorkerExecutor', () => {
  const profile = createDeviceProfile('pcm', { rows: 128, cols: 128 })
  let worker: WorkerExecutor

  before(async () => {
    worker = await WorkerExecutor.start({ profile, tiles: 6 })
  })
  after(async () => { await worker.stop() })

  it('computes in its thread what an in-process executor computes, bit for bit', async () => {
    const local = new ShardExecutor(createTilePool({ profile, tiles: 6 }))
    const w = seededFloats(200 * 150, 'w')
    const x = seededFloats(7 * 200, 'x')
    local.programShard('s', 200, 150, w, 42)
    await worker.reserve('s', 200, 150)
    await worker.program('s', w, 42)
    for (let i = 0; i < 3; i++) {
      const remote = await worker.execute('s', x, 7)
      const expected = local.execute('s', x, 7)
      assert.deepEqual(remote.output, expected.output)
      assert.deepEqual(remote.stats, expected.stats)
    }
    assert.equal((await worker.status()).tilesFree, 2)
    assert.deepEqual(await worker.release('s'), { tilesFreed: 4 })
    assert.equal(worker.cachedStatus().tilesFree, 6)
  })

  it('rebuilds the named errors thrown in the worker', async () => {
    await assert.rejects(worker.execute('missing', new Float32Array(4), 1), UnknownShardError)
    await assert.rejects(worker.reserve('huge', 128 * 7, 128), InsufficientCapacityError)
  })

  it('copies inputs by default and detaches them only when asked to transfer', async () => {
    await worker.reserve('t', 4, 4)
    await worker.program('t', new Float32Array(16), 1)
    const x = new Float32Array(4)
    await worker.execute('t', x, 1)
    assert.equal(x.length, 4)
    await worker.execute('t', x, 1, {}, { transfer: true })
    assert.equal(x.length, 0, 'a transferred buffer is detached')
    await worker.release('t')
  })

  it('counts requests in flight as queue depth', async () => {
    await worker.reserve('q', 128, 128)
    await worker.program('q', seededFloats(128 * 128, 'q'), 1)
    const x = seededFloats(64 * 128, 'xq')
    const pending = [worker.execute('q', x, 64), worker.execute('q', x, 64), worker.execute('q', x, 64)]
    assert.equal(worker.queueDepth(), 3)
    await Promise.all(pending)
    assert.equal(worker.queueDepth(), 0)
    await worker.release('q')
  })

  it('rejects requests after stop with ExecutorStoppedError', async () => {
    const w = await WorkerExecutor.start({ profile, tiles: 1, calibrate: false })
    await w.stop()
    await assert.rejects(w.status(), ExecutorStoppedError)
  })
})
