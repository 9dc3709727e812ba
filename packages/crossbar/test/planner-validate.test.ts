import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidPlanError } from '../src/errors.js'
import { planPartition } from '../src/planner.js'
import type { MatrixSpec, PartitionPlan, PlannerDevice } from '../src/planner.js'
import { validatePlan } from '../src/planner-validate.js'

const matrices: MatrixSpec[] = [{ id: 'a', rows: 20, cols: 13 }, { id: 'b', rows: 5, cols: 7 }, { id: 'c', rows: 9, cols: 30 }]
const devices: PlannerDevice[] = [{ id: 'x', geometry: { rows: 8, cols: 16 }, freeTiles: 10 }, { id: 'y', geometry: { rows: 8, cols: 8 }, freeTiles: 10 }]

function freshPlan (): PartitionPlan {
  const plan = planPartition(matrices, devices)
  validatePlan(plan, matrices, devices)
  return structuredClone(plan)
}

describe('validatePlan', () => {
  it('accepts a plan of the planner', () => {
    assert.doesNotThrow(() => freshPlan())
  })

  it('rejects a missing weight', () => {
    const plan = freshPlan()
    plan.blocks.pop()
    assert.throws(() => validatePlan(plan, matrices, devices), InvalidPlanError)
  })

  it('rejects a weight placed twice', () => {
    const plan = freshPlan()
    // A second copy of a block on a tile of its own.
    const copy = { ...plan.blocks[0], tile: plan.tilesPerDevice[plan.blocks[0].deviceId], rowOffset: 0, colOffset: 0 }
    plan.blocks.push(copy)
    plan.tilesPerDevice[copy.deviceId]++
    assert.throws(() => validatePlan(plan, matrices, devices), /placed twice|hold/)
  })

  it('rejects overlapping blocks in a tile', () => {
    const plan = freshPlan()
    const shared = plan.blocks.find((b) => plan.blocks.some((o) => o !== b && o.deviceId === b.deviceId && o.tile === b.tile))
    assert.ok(shared !== undefined, 'the plan packs two blocks into one tile')
    const other = plan.blocks.find((o) => o !== shared && o.deviceId === shared.deviceId && o.tile === shared.tile)
    assert.ok(other !== undefined)
    other.rowOffset = shared.rowOffset
    other.colOffset = shared.colOffset
    assert.throws(() => validatePlan(plan, matrices, devices), InvalidPlanError)
  })

  it('rejects a block outside its tile', () => {
    const plan = freshPlan()
    const block = plan.blocks[0]
    block.colOffset = plan.geometries[block.deviceId].cols - block.cols + 1
    assert.throws(() => validatePlan(plan, matrices, devices), /leaves its/)
  })

  it('rejects more tiles than a device has free, and empty tiles', () => {
    const plan = freshPlan()
    const id = Object.keys(plan.tilesPerDevice)[0]
    const tight = devices.map((d) => d.id === id ? { ...d, freeTiles: plan.tilesPerDevice[id] - 1 } : d)
    assert.throws(() => validatePlan(plan, matrices, tight), /free/)
    plan.tilesPerDevice[id]++
    assert.throws(() => validatePlan(plan, matrices, devices), /holds no block|reports/)
  })

  it('rejects wrong accounting', () => {
    const plan = freshPlan()
    plan.utilisation = plan.utilisation * 0.5
    assert.throws(() => validatePlan(plan, matrices, devices), /utilisation/)
  })
})
