import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { InsufficientCapacityError, InvalidCrossbarOptionError, InvalidPlanError } from '../src/errors.js'
import { planPartition } from '../src/planner.js'
import type { MatrixSpec, PartitionPlan, PlannerDevice } from '../src/planner.js'
import { validatePlan } from '../src/planner-validate.js'

const GEOMETRIES = [
  { rows: 8, cols: 8 },
  { rows: 16, cols: 32 },
  { rows: 32, cols: 16 },
  { rows: 128, cols: 128 },
  { rows: 256, cols: 256 },
  { rows: 512, cols: 512 }
]

const matrixArb = fc.record({
  rows: fc.integer({ min: 1, max: 300 }),
  cols: fc.integer({ min: 1, max: 300 }),
  sensitivity: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined })
})

const deviceArb = fc.record({
  geometry: fc.constantFrom(...GEOMETRIES),
  freeTiles: fc.integer({ min: 0, max: 400 }),
  noiseLevel: fc.option(fc.double({ min: 0, max: 0.5, noNaN: true }), { nil: undefined })
})

const optionsArb = fc.record({
  strategy: fc.constantFrom('balanced' as const, 'fill' as const),
  splitRagged: fc.boolean()
})

function toMatrices (specs: Array<{ rows: number, cols: number, sensitivity?: number }>): MatrixSpec[] {
  return specs.map((spec, i) => ({ id: `m${i}`, ...spec }))
}

function toDevices (specs: Array<{ geometry: { rows: number, cols: number }, freeTiles: number, noiseLevel?: number }>): PlannerDevice[] {
  return specs.map((spec, i) => ({ id: `d${i}`, ...spec }))
}

/** Tiles needed when every block of the tile grid takes a tile of its own (no packing at all). */
function gridTiles (matrices: readonly MatrixSpec[], geometry: { rows: number, cols: number }): number {
  return matrices.reduce((sum, m) => sum + Math.ceil(m.rows / geometry.rows) * Math.ceil(m.cols / geometry.cols), 0)
}

function cellsOf (matrices: readonly MatrixSpec[]): number {
  return matrices.reduce((sum, m) => sum + m.rows * m.cols, 0)
}

describe('planPartition', () => {
  it('places every weight exactly once, inside its tile, without overlap, within free tiles (property)', () => {
    fc.assert(fc.property(fc.array(matrixArb, { minLength: 1, maxLength: 6 }), fc.array(deviceArb, { minLength: 1, maxLength: 4 }), optionsArb, (mSpecs, dSpecs, options) => {
      const matrices = toMatrices(mSpecs)
      const devices = toDevices(dSpecs)
      let plan: PartitionPlan
      try {
        plan = planPartition(matrices, devices, options)
      } catch (err) {
        assert.ok(err instanceof InsufficientCapacityError, `unexpected ${String(err)}`)
        // With room for the unpacked grid twice over on every device, the planner must not give up.
        assert.ok(!devices.every((d) => d.freeTiles >= 2 * gridTiles(matrices, d.geometry) + 1), 'gave up although every device could hold the grid twice')
        return
      }
      validatePlan(plan, matrices, devices)
      assert.equal(plan.cellsUsed, cellsOf(matrices))
    }), { seed: 0x7e55e7a, numRuns: 300 })
  })

  it('succeeds whenever each device could hold the unpacked grid twice (property)', () => {
    fc.assert(fc.property(fc.array(matrixArb, { minLength: 1, maxLength: 6 }), fc.array(deviceArb, { minLength: 1, maxLength: 4 }), optionsArb, (mSpecs, dSpecs, options) => {
      const matrices = toMatrices(mSpecs)
      const devices = toDevices(dSpecs).map((d) => ({ ...d, freeTiles: 2 * gridTiles(matrices, d.geometry) + 1 }))
      const plan = planPartition(matrices, devices, options)
      validatePlan(plan, matrices, devices)
      // Packing never needs more tiles than the unpacked grid on the devices used.
      const grid = Math.max(...devices.map((d) => gridTiles(matrices, d.geometry)))
      if (devices.length === 1) assert.ok(plan.tiles <= grid, `${plan.tiles} tiles, the unpacked grid needs ${grid}`)
    }), { seed: 0xb10c, numRuns: 200 })
  })

  it('accounts utilisation as cells holding weights over cells of allocated tiles', () => {
    const matrices = toMatrices([{ rows: 20, cols: 13 }, { rows: 7, cols: 40 }, { rows: 3, cols: 3 }])
    const devices = toDevices([{ geometry: { rows: 16, cols: 32 }, freeTiles: 10 }, { geometry: { rows: 8, cols: 8 }, freeTiles: 30 }])
    const plan = planPartition(matrices, devices)
    const cells = 20 * 13 + 7 * 40 + 3 * 3
    const allocated = (plan.tilesPerDevice.d0 ?? 0) * 16 * 32 + (plan.tilesPerDevice.d1 ?? 0) * 8 * 8
    assert.equal(plan.cellsUsed, cells)
    assert.equal(plan.cellsAllocated, allocated)
    assert.equal(plan.utilisation, cells / allocated)
    assert.equal(plan.tiles, (plan.tilesPerDevice.d0 ?? 0) + (plan.tilesPerDevice.d1 ?? 0))
    assert.equal(plan.blocks.reduce((sum, b) => sum + b.rows * b.cols, 0), cells)
  })

  it('fills whole tiles exactly when the matrix is a multiple of the tile', () => {
    const matrices = toMatrices([{ rows: 64, cols: 96 }])
    const plan = planPartition(matrices, toDevices([{ geometry: { rows: 32, cols: 32 }, freeTiles: 6 }]))
    assert.equal(plan.tiles, 6)
    assert.equal(plan.utilisation, 1)
    assert.ok(plan.blocks.every((b) => b.rows === 32 && b.cols === 32 && b.rowOffset === 0 && b.colOffset === 0))
  })

  it('packs several small matrices into one tile', () => {
    const matrices = toMatrices([{ rows: 5, cols: 5 }, { rows: 5, cols: 5 }, { rows: 5, cols: 5 }, { rows: 5, cols: 5 }])
    const plan = planPartition(matrices, toDevices([{ geometry: { rows: 10, cols: 10 }, freeTiles: 4 }]))
    assert.equal(plan.tiles, 1)
    assert.equal(plan.utilisation, 1)
  })

  it('cuts ragged blocks to reach the area bound where whole-block packing cannot', () => {
    // 10×10 on 8×8 tiles: the grid blocks are 8×8, 8×2, 2×8 and 2×2. Whole blocks need 3 tiles: the 8×8
    // fills one, and the 8×2 and 2×8 cannot share an 8×8 tile (8 + 2 > 8 both ways). The area bound is
    // ⌈100 / 64⌉ = 2 tiles, reached by cutting the 2×8 into pieces that fill the 8×6 gap beside the 8×2.
    const matrices = toMatrices([{ rows: 10, cols: 10 }])
    const devices = toDevices([{ geometry: { rows: 8, cols: 8 }, freeTiles: 4 }])
    const cut = planPartition(matrices, devices, { minCutCells: 1 })
    const whole = planPartition(matrices, devices, { splitRagged: false })
    validatePlan(cut, matrices, devices)
    validatePlan(whole, matrices, devices)
    assert.equal(cut.tiles, 2)
    assert.equal(whole.tiles, 3)
  })

  it('without splitRagged every block is a block of the tile grid', () => {
    fc.assert(fc.property(fc.array(matrixArb, { minLength: 1, maxLength: 5 }), fc.constantFrom(...GEOMETRIES.slice(0, 3)), (mSpecs, geometry) => {
      const matrices = toMatrices(mSpecs)
      const devices = toDevices([{ geometry, freeTiles: gridTiles(matrices, geometry) }])
      const plan = planPartition(matrices, devices, { splitRagged: false })
      validatePlan(plan, matrices, devices)
      for (const b of plan.blocks) {
        const m = matrices.find((x) => x.id === b.matrixId) as MatrixSpec
        assert.equal(b.matrixRow % geometry.rows, 0)
        assert.equal(b.matrixCol % geometry.cols, 0)
        assert.equal(b.rows, Math.min(geometry.rows, m.rows - b.matrixRow))
        assert.equal(b.cols, Math.min(geometry.cols, m.cols - b.matrixCol))
      }
    }), { seed: 0x9a1d, numRuns: 100 })
  })

  it('never uses more tiles than the area bound plus one per device used on the catalogue-like shapes', () => {
    // Shapes with power-of-two-friendly sides, as in the GEMM catalogues.
    const sides = fc.constantFrom(64, 147, 256, 576, 768, 1000, 1152, 2304)
    fc.assert(fc.property(fc.array(fc.tuple(sides, sides), { minLength: 1, maxLength: 8 }), fc.constantFrom(128, 256), (shapes, side) => {
      const matrices = toMatrices(shapes.map(([rows, cols]) => ({ rows, cols })))
      const devices = toDevices([0, 1].map(() => ({ geometry: { rows: side, cols: side }, freeTiles: 2 * gridTiles(matrices, { rows: side, cols: side }) })))
      const plan = planPartition(matrices, devices)
      validatePlan(plan, matrices, devices)
      const bound = Math.ceil(cellsOf(matrices) / (side * side))
      assert.ok(plan.tiles <= bound + Object.keys(plan.tilesPerDevice).length, `${plan.tiles} tiles, area bound ${bound}`)
    }), { seed: 0xca7, numRuns: 60 })
  })

  it('is deterministic and does not modify its inputs', () => {
    fc.assert(fc.property(fc.array(matrixArb, { minLength: 1, maxLength: 5 }), fc.array(deviceArb, { minLength: 1, maxLength: 3 }), (mSpecs, dSpecs) => {
      const matrices = toMatrices(mSpecs)
      const devices = toDevices(dSpecs).map((d) => ({ ...d, freeTiles: d.freeTiles + gridTiles(matrices, d.geometry) }))
      const before = JSON.stringify([matrices, devices])
      const a = planPartition(matrices, devices)
      const b = planPartition(structuredClone(matrices), structuredClone(devices))
      assert.deepEqual(a, b)
      assert.equal(JSON.stringify([matrices, devices]), before)
    }), { seed: 0xde7, numRuns: 50 })
  })

  it('steers sensitive matrices to low-noise devices', () => {
    const matrices = toMatrices([{ rows: 32, cols: 16 }, { rows: 32, cols: 16, sensitivity: 0.9 }, { rows: 32, cols: 16, sensitivity: 0.2 }])
    // The noisy device is listed first; each device has room for exactly one matrix (two 16×16 tiles).
    const devices: PlannerDevice[] = [
      { id: 'noisy', geometry: { rows: 16, cols: 16 }, freeTiles: 2, noiseLevel: 0.3 },
      { id: 'quiet', geometry: { rows: 16, cols: 16 }, freeTiles: 2, noiseLevel: 0.01 },
      { id: 'middle', geometry: { rows: 16, cols: 16 }, freeTiles: 2, noiseLevel: 0.1 }
    ]
    for (const strategy of ['balanced', 'fill'] as const) {
      const plan = planPartition(matrices, devices, { strategy })
      validatePlan(plan, matrices, devices)
      const deviceOf = (id: string): string[] => [...new Set(plan.blocks.filter((b) => b.matrixId === id).map((b) => b.deviceId))]
      assert.deepEqual(deviceOf('m1'), ['quiet'])
      assert.deepEqual(deviceOf('m2'), ['middle'])
      assert.deepEqual(deviceOf('m0'), ['noisy'])
    }
  })

  it('spreads over devices with the balanced strategy and packs into the fewest with fill', () => {
    const matrices = toMatrices([{ rows: 64, cols: 64 }])
    const devices = toDevices([0, 1, 2, 3].map(() => ({ geometry: { rows: 16, cols: 16 }, freeTiles: 20 })))
    const balanced = planPartition(matrices, devices, { strategy: 'balanced' })
    const fill = planPartition(matrices, devices, { strategy: 'fill' })
    validatePlan(balanced, matrices, devices)
    validatePlan(fill, matrices, devices)
    // 16 tiles of weights over four devices of equal size: four each.
    assert.deepEqual(balanced.tilesPerDevice, { d0: 4, d1: 4, d2: 4, d3: 4 })
    assert.deepEqual(fill.tilesPerDevice, { d0: 16 })
  })

  it('splits a matrix across devices when no single device can hold it', () => {
    const matrices = toMatrices([{ rows: 40, cols: 40 }])
    const devices = toDevices([{ geometry: { rows: 8, cols: 8 }, freeTiles: 13 }, { geometry: { rows: 16, cols: 32 }, freeTiles: 2 }])
    const plan = planPartition(matrices, devices, { strategy: 'fill' })
    validatePlan(plan, matrices, devices)
    assert.equal(Object.keys(plan.tilesPerDevice).length, 2)
  })

  it('skips devices without free tiles', () => {
    const matrices = toMatrices([{ rows: 8, cols: 8 }])
    const devices = toDevices([{ geometry: { rows: 8, cols: 8 }, freeTiles: 0 }, { geometry: { rows: 8, cols: 8 }, freeTiles: 1 }])
    const plan = planPartition(matrices, devices)
    assert.deepEqual(plan.tilesPerDevice, { d1: 1 })
  })

  it('names every bad input', () => {
    const device = { id: 'd', geometry: { rows: 8, cols: 8 }, freeTiles: 4 }
    const matrix = { id: 'm', rows: 8, cols: 8 }
    assert.throws(() => planPartition([{ id: 'm', rows: 0, cols: 8 }], [device]), InvalidPlanError)
    assert.throws(() => planPartition([{ id: 'm', rows: 8, cols: 2.5 }], [device]), InvalidPlanError)
    assert.throws(() => planPartition([{ id: 'm', rows: -1, cols: 8 }], [device]), InvalidPlanError)
    assert.throws(() => planPartition([matrix, { ...matrix }], [device]), InvalidPlanError)
    assert.throws(() => planPartition([{ ...matrix, id: '' }], [device]), InvalidPlanError)
    assert.throws(() => planPartition([{ ...matrix, sensitivity: 1.5 }], [device]), InvalidPlanError)
    assert.throws(() => planPartition([{ ...matrix, sensitivity: Number.NaN }], [device]), InvalidPlanError)
    assert.throws(() => planPartition([matrix], [{ ...device, geometry: { rows: 0, cols: 8 } }]), InvalidPlanError)
    assert.throws(() => planPartition([matrix], [{ ...device, geometry: { rows: 8, cols: 7.5 } }]), InvalidPlanError)
    assert.throws(() => planPartition([matrix], [{ ...device, freeTiles: -1 }]), InvalidPlanError)
    assert.throws(() => planPartition([matrix], [{ ...device, freeTiles: 1.5 }]), InvalidPlanError)
    assert.throws(() => planPartition([matrix], [{ ...device, noiseLevel: Number.NaN }]), InvalidPlanError)
    assert.throws(() => planPartition([matrix], [{ ...device, noiseLevel: -0.1 }]), InvalidPlanError)
    assert.throws(() => planPartition([matrix], [{ ...device, id: '' }]), InvalidPlanError)
    assert.throws(() => planPartition([matrix], [device, { ...device }]), InvalidPlanError)
    assert.throws(() => planPartition([matrix], []), InsufficientCapacityError)
    assert.throws(() => planPartition([matrix], [{ ...device, freeTiles: 0 }]), InsufficientCapacityError)
    assert.throws(() => planPartition([{ id: 'm', rows: 17, cols: 16 }], [device]), InsufficientCapacityError)
    // Two 5×5 matrices have 50 cells, one 8×8 tile 64, but whole 5×5 blocks cannot share it; cut ones can.
    const fives = toMatrices([{ rows: 5, cols: 5 }, { rows: 5, cols: 5 }])
    assert.throws(() => planPartition(fives, [{ ...device, freeTiles: 1 }], { splitRagged: false }), InsufficientCapacityError)
    assert.equal(planPartition(fives, [{ ...device, freeTiles: 1 }], { minCutCells: 1 }).tiles, 1)
    assert.throws(() => planPartition([matrix], [device], { minCutCells: 0 }), InvalidCrossbarOptionError)
    assert.throws(() => planPartition([matrix], [device], { strategy: 'spread' as 'fill' }), InvalidCrossbarOptionError)
  })

  it('plans nothing for no matrices', () => {
    const plan = planPartition([], [{ id: 'd', geometry: { rows: 8, cols: 8 }, freeTiles: 1 }])
    assert.equal(plan.tiles, 0)
    assert.equal(plan.blocks.length, 0)
    assert.equal(plan.utilisation, 1)
  })
})
