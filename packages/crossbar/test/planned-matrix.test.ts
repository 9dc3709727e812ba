import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  InsufficientCapacityError, InvalidPlanError, NonFiniteValueError, ShapeMismatchError, UnknownHandleError
} from '../src/errors.js'
import { programPlannedMatrices } from '../src/planned-matrix.js'
import { planPartition } from '../src/planner.js'
import type { MatrixSpec, PlannerDevice } from '../src/planner.js'
import { createDeviceProfile } from '../src/profiles.js'
import type { PresetName } from '../src/profiles.js'
import { createRng } from '../src/random.js'
import { createTilePool } from '../src/tile-pool.js'
import type { TilePool } from '../src/tile-pool.js'

const FLOAT32_EPSILON = 2 ** -23

function randomArray (length: number, seed: string): Float32Array {
  const rng = createRng(seed)
  const values = new Float32Array(length)
  for (let i = 0; i < length; i++) values[i] = rng.nextNormal()
  return values
}

function poolsFor (devices: readonly PlannerDevice[], preset: PresetName = 'ideal'): Record<string, TilePool> {
  const pools: Record<string, TilePool> = {}
  for (const d of devices) pools[d.id] = createTilePool({ profile: createDeviceProfile(preset, d.geometry), tiles: d.freeTiles })
  return pools
}

function gridTiles (matrices: readonly MatrixSpec[], g: { rows: number, cols: number }): number {
  return matrices.reduce((sum, m) => sum + Math.ceil(m.rows / g.rows) * Math.ceil(m.cols / g.cols), 0)
}

describe('programPlannedMatrices', () => {
  it('sums block partial results to the unplanned product on the ideal profile within float32 rounding (property)', () => {
    const geometries = [{ rows: 8, cols: 8 }, { rows: 16, cols: 32 }, { rows: 32, cols: 16 }]
    fc.assert(fc.property(
      fc.array(fc.record({ rows: fc.integer({ min: 1, max: 70 }), cols: fc.integer({ min: 1, max: 70 }) }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.constantFrom(...geometries), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 5 }),
      fc.boolean(),
      fc.integer(),
      (shapes, deviceGeometries, batch, splitRagged, seed) => {
        const matrices: MatrixSpec[] = shapes.map((s, i) => ({ id: `m${i}`, ...s }))
        // Room for about half the unpacked grid on each device, so matrices spread over several devices.
        const devices: PlannerDevice[] = deviceGeometries.map((geometry, i) => ({ id: `d${i}`, geometry, freeTiles: Math.ceil(gridTiles(matrices, geometry) / 2) + 1 }))
        let plan
        try {
          plan = planPartition(matrices, devices, { splitRagged })
        } catch (err) {
          assert.ok(err instanceof InsufficientCapacityError)
          return
        }
        const weights: Record<string, Float32Array> = {}
        for (const m of matrices) weights[m.id] = randomArray(m.rows * m.cols, `${seed}/w/${m.id}`)
        const pools = poolsFor(devices)
        const planned = programPlannedMatrices(plan, weights, pools, seed)
        for (const m of matrices) {
          const x = randomArray(batch * m.rows, `${seed}/x/${m.id}`)
          const out = new Float32Array(batch * m.cols).fill(Number.NaN)
          planned.mvm(m.id, x, batch, out)
          // How many blocks cover each output column: each adds one float32 rounding of a partial sum and one
          // float32 addition, on top of the float32 rounding of the exact result.
          const rowBlocks = new Int32Array(m.cols)
          for (const b of plan.blocks) if (b.matrixId === m.id) for (let c = b.matrixCol; c < b.matrixCol + b.cols; c++) rowBlocks[c]++
          const w = weights[m.id]
          for (let b = 0; b < batch; b++) {
            for (let c = 0; c < m.cols; c++) {
              let exact = 0
              let magnitude = 0
              for (let r = 0; r < m.rows; r++) {
                exact += x[b * m.rows + r] * w[r * m.cols + c]
                magnitude += Math.abs(x[b * m.rows + r] * w[r * m.cols + c])
              }
              const bound = (2 * rowBlocks[c] + 1) * FLOAT32_EPSILON * magnitude
              assert.ok(Math.abs(out[b * m.cols + c] - exact) <= bound, `${m.id}[${b},${c}]: ${out[b * m.cols + c]} vs ${exact} (bound ${bound})`)
            }
          }
        }
        planned.release()
        for (const d of devices) assert.equal(pools[d.id].tilesFree(), d.freeTiles)
      }), { seed: 0x5eed, numRuns: 120 })
  })

  it('allocates the planned tiles and reports the summed cost of its blocks', () => {
    const matrices: MatrixSpec[] = [{ id: 'a', rows: 20, cols: 12 }, { id: 'b', rows: 6, cols: 30 }]
    const devices: PlannerDevice[] = [{ id: 'p', geometry: { rows: 8, cols: 16 }, freeTiles: 6 }, { id: 'q', geometry: { rows: 16, cols: 16 }, freeTiles: 6 }]
    const plan = planPartition(matrices, devices)
    const pools = poolsFor(devices)
    const planned = programPlannedMatrices(plan, { a: randomArray(240, 'a'), b: randomArray(180, 'b') }, pools, 1)
    for (const d of devices) assert.equal(pools[d.id].tilesFree(), d.freeTiles - (plan.tilesPerDevice[d.id] ?? 0))
    const cellsUsed = pools.p.cellsUsed() + pools.q.cellsUsed()
    assert.equal(cellsUsed, 20 * 12 + 6 * 30)
    const batch = 3
    const stats = planned.mvm('a', randomArray(batch * 20, 'x'), batch, new Float32Array(batch * 12))
    const blocks = plan.blocks.filter((b) => b.matrixId === 'a')
    // The ideal profile reads each vector once per block: macs = batch · block cells, time = batch · latency.
    assert.equal(stats.macs, batch * 20 * 12)
    const expectedTime = blocks.reduce((sum, b) => sum + batch * pools[b.deviceId].profile.timing.mvmLatencyNs, 0)
    assert.equal(stats.deviceTimeNs, expectedTime)
    const expectedEnergy = blocks.reduce((sum, b) => sum + batch * b.rows * b.cols * pools[b.deviceId].profile.timing.energyPjPerMac, 0)
    assert.ok(Math.abs(stats.energyPj - expectedEnergy) <= 1e-9 * expectedEnergy)
    planned.release()
    planned.release()
    for (const d of devices) assert.equal(pools[d.id].tilesFree(), d.freeTiles)
    assert.throws(() => planned.mvm('a', new Float32Array(20), 1, new Float32Array(12)), UnknownHandleError)
  })

  it('is reproducible on a noisy profile: same seed same outputs, other seed other outputs', () => {
    const matrices: MatrixSpec[] = [{ id: 'm', rows: 40, cols: 24 }]
    const devices: PlannerDevice[] = [{ id: 'd', geometry: { rows: 16, cols: 16 }, freeTiles: 8 }]
    const plan = planPartition(matrices, devices)
    const weights = { m: randomArray(40 * 24, 'w') }
    const x = randomArray(2 * 40, 'x')
    const run = (seed: number): Float32Array => {
      const planned = programPlannedMatrices(plan, weights, poolsFor(devices, 'pcm'), seed)
      const out = new Float32Array(2 * 24)
      planned.mvm('m', x, 2, out, { tSeconds: 3600 })
      planned.release()
      return out
    }
    assert.deepEqual(run(5), run(5))
    assert.notDeepEqual(run(5), run(6))
  })

  it('names bad input and frees what it allocated when programming fails', () => {
    const matrices: MatrixSpec[] = [{ id: 'm', rows: 10, cols: 10 }]
    const devices: PlannerDevice[] = [{ id: 'd', geometry: { rows: 8, cols: 8 }, freeTiles: 4 }]
    const plan = planPartition(matrices, devices)
    const weights = { m: randomArray(100, 'w') }
    assert.throws(() => programPlannedMatrices(plan, {}, poolsFor(devices), 1), InvalidPlanError)
    assert.throws(() => programPlannedMatrices(plan, { m: new Float32Array(99) }, poolsFor(devices), 1), ShapeMismatchError)
    assert.throws(() => programPlannedMatrices(plan, weights, {}, 1), InvalidPlanError)
    assert.throws(() => programPlannedMatrices(plan, weights, { d: createTilePool({ profile: createDeviceProfile('ideal', { rows: 16, cols: 8 }), tiles: 4 }) }, 1), InvalidPlanError)
    assert.throws(() => programPlannedMatrices(plan, weights, { d: createTilePool({ profile: createDeviceProfile('ideal', { rows: 8, cols: 8 }), tiles: plan.tiles - 1 }) }, 1), InsufficientCapacityError)

    const bad = Float32Array.from(weights.m)
    bad[99] = Number.NaN
    const pools = poolsFor(devices)
    assert.throws(() => programPlannedMatrices(plan, { m: bad }, pools, 1), NonFiniteValueError)
    assert.equal(pools.d.tilesFree(), 4)

    const planned = programPlannedMatrices(plan, weights, poolsFor(devices), 1)
    assert.throws(() => planned.mvm('nope', new Float32Array(10), 1, new Float32Array(10)), UnknownHandleError)
    assert.throws(() => planned.mvm('m', new Float32Array(19), 2, new Float32Array(20)), ShapeMismatchError)
    assert.throws(() => planned.mvm('m', new Float32Array(20), 2, new Float32Array(19)), ShapeMismatchError)
    assert.throws(() => planned.mvm('m', new Float32Array(20), 0, new Float32Array(20)), /batch/)
    planned.release()
  })
})
