import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createDeviceProfile, createTilePool } from '@tessera/crossbar'
import { InsufficientCapacityError, UnknownShardError } from '@tessera/wire'
import { ExecutorStoppedError, InvalidNodeOptionError, ShardExecutor, WorkerExecutor } from '../../src/index.js'
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

  it('reports the device time of its emulated rate, and a changed rate from the next execute on', async () => {
    const slow = await WorkerExecutor.start({ profile, tiles: 2, calibrate: false, emulatedMacsPerSecond: 2e6 })
    try {
      await slow.reserve('s', 128, 128)
      await slow.program('s', seededFloats(128 * 128, 'w'), 1)
      const x = seededFloats(128, 'x')
      const before = await slow.execute('s', x, 1)
      // The emulated time (128·128 MACs at 2 MMAC/s = 8.2 ms) dwarfs the tile's own device time (µs).
      assert.equal(before.stats.macs, 128 * 128)
      assert.ok(Math.abs(before.stats.deviceTimeNs - (before.stats.macs / 2e6) * 1e9) < 1)
      await slow.setEmulatedMacsPerSecond(2e6 / 3)
      const after = await slow.execute('s', x, 1)
      assert.ok(Math.abs(after.stats.deviceTimeNs - (after.stats.macs / (2e6 / 3)) * 1e9) < 1)
      assert.ok(after.wallMs >= (after.stats.macs / (2e6 / 3)) * 1000 - 1)
      await assert.rejects(slow.setEmulatedMacsPerSecond(-1), InvalidNodeOptionError)
      await assert.rejects(slow.setEmulatedMacsPerSecond(Number.NaN), InvalidNodeOptionError)
      // The rejected rates changed nothing.
      const unchanged = await slow.execute('s', x, 1)
      assert.equal(unchanged.stats.deviceTimeNs, after.stats.deviceTimeNs)
    } finally {
      await slow.stop()
    }
  })

  it('refuses a negative or non-finite emulated rate before starting a worker', async () => {
    await assert.rejects(WorkerExecutor.start({ profile, tiles: 1, emulatedMacsPerSecond: -1 }), InvalidNodeOptionError)
    await assert.rejects(WorkerExecutor.start({ profile, tiles: 1, emulatedMacsPerSecond: Number.POSITIVE_INFINITY }), InvalidNodeOptionError)
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
