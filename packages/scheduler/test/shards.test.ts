import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { planPartition } from '@tessera/crossbar'
import { InvalidSchedulerOptionError } from '../src/errors.js'
import { markHotShards, shardsFromPlan } from '../src/shards.js'
import { shard } from './fixtures.js'
import type { PlannedBlockLike } from '../src/shards.js'

const block = (matrixId: string, deviceId: string, tile: number, rows: number, cols: number, rowOffset = 0, colOffset = 0): PlannedBlockLike =>
  ({ matrixId, matrixRow: 0, matrixCol: 0, rows, cols, deviceId, tile, rowOffset, colOffset })

describe('shardsFromPlan', () => {
  it('makes one shard per planned tile with its extent, cells, load and traffic', () => {
    const plan = {
      blocks: [
        block('fc1', 'dev-a', 0, 256, 256),
        block('fc1', 'dev-a', 1, 16, 256),
        block('fc2', 'dev-a', 1, 200, 10, 16, 0)
      ]
    }
    const { shards, blocks } = shardsFromPlan(plan, { sensitivity: { fc2: 0.9 }, load: { fc1: 1, fc2: 3 }, batch: 2 })
    assert.equal(shards.length, 2)
    const [t0, t1] = shards
    assert.deepEqual({ id: t0.id, geometry: t0.geometry, cells: t0.cells, bytes: t0.bytes, load: t0.expectedLoad, sens: t0.sensitivity },
      { id: 'dev-a/0', geometry: { rows: 256, cols: 256 }, cells: 65_536, bytes: 262_144, load: 1, sens: 0 })
    assert.equal(t0.macsPerRequest, 65_536 * 2)
    assert.equal(t0.requestBytes, (256 + 256) * 2 * 4)
    assert.deepEqual(t1.geometry, { rows: 216, cols: 256 })
    assert.equal(t1.cells, 16 * 256 + 200 * 10)
    assert.equal(t1.expectedLoad, 4)
    assert.equal(t1.sensitivity, 0.9)
    // Load-weighted mean per call: (1 · 4096 · 2 + 3 · 2000 · 2) / 4.
    assert.equal(t1.macsPerRequest, (4096 * 2 + 3 * 2000 * 2) / 4)
    assert.equal(t1.requestBytes, (1 * (16 + 256) * 2 * 4 + 3 * (200 + 10) * 2 * 4) / 4)
    assert.equal(blocks.get('dev-a/1')?.length, 2)
    assert.throws(() => shardsFromPlan(plan, { batch: 0 }), InvalidSchedulerOptionError)
  })
})

describe('shardsFromPlan on the planner\'s output', () => {
  it('covers every planned weight exactly once, one shard per allocated tile', () => {
    const plan = planPartition(
      [{ id: 'fc1', rows: 784, cols: 256, sensitivity: 0.8 }, { id: 'fc2', rows: 256, cols: 128 }, { id: 'fc3', rows: 128, cols: 10 }],
      [{ id: 'big', geometry: { rows: 256, cols: 256 }, freeTiles: 8, noiseLevel: 0.01 }, { id: 'small', geometry: { rows: 128, cols: 128 }, freeTiles: 16, noiseLevel: 0.05 }]
    )
    const { shards, blocks } = shardsFromPlan(plan, { sensitivity: { fc1: 0.8 } })
    assert.equal(shards.length, plan.tiles)
    assert.equal(shards.reduce((sum, s) => sum + s.cells, 0), 784 * 256 + 256 * 128 + 128 * 10)
    assert.equal([...blocks.values()].reduce((sum, list) => sum + list.length, 0), plan.blocks.length)
    for (const s of shards) {
      const device = s.id.split('/')[0]
      const tile = plan.geometries[device]
      assert.ok(s.geometry.rows <= tile.rows && s.geometry.cols <= tile.cols, `${s.id} extent exceeds its planned tile`)
    }
  })
})

describe('markHotShards', () => {
  it('gives extra copies to shards well above the median load', () => {
    const out = markHotShards([shard('a'), shard('b'), shard('c', { expectedLoad: 2 }), shard('d', { expectedLoad: 1.5 })], { factor: 1.6, replicas: 3 })
    // Median load 1.25: only c (2 ≥ 1.6 · 1.25 = 2) is hot.
    assert.deepEqual(out.map((s) => s.replicas ?? 1), [1, 1, 3, 1])
  })
})
