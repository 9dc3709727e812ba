import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createDeviceProfile } from '@tessera/crossbar'
import { BusyError, InsufficientCapacityError } from '@tessera/wire'
import { BudgetedExecutor, InvalidNodeOptionError, MemoryBudget, TILE_BYTES_PER_CELL, createTesseraNode, tileMemoryBytes, workingMemoryBytes } from '../../src/index.js'
import type { NodeExecutor } from '../../src/index.js'
import type { ShardStatus } from '../../src/index.js'

const PROFILE = createDeviceProfile('ideal', { rows: 64, cols: 64 })
const STATUS: ShardStatus = { tilesTotal: 4, tilesFree: 4, shardsHeld: 0, cellsUsed: 0, cellsTotal: 0, tileRows: 64, tileCols: 64, devicePreset: 'ideal' }

/** An executor that holds shapes and answers executes when `release()` of the returned gate is called. */
function fakeInner (): { inner: NodeExecutor, gates: Array<() => void> } {
  const shapes = new Map<string, { rows: number, cols: number }>()
  const gates: Array<() => void> = []
  const inner: NodeExecutor = {
    profile: PROFILE,
    tilesTotal: 4,
    shapeOf: (id) => shapes.get(id),
    queueDepth: () => gates.length,
    throughputGflops: () => 0,
    cachedStatus: () => STATUS,
    status: async () => STATUS,
    reserve: async (id, rows, cols) => { shapes.set(id, { rows, cols }); return { tilesReserved: 1 } },
    program: async (id) => { if (id === 'bad') throw new Error('programming failed'); return { tilesUsed: 1 } },
    execute: async (id, x, batch) => {
      await new Promise<void>((resolve) => gates.push(resolve))
      return { output: new Float32Array(batch * (shapes.get(id)?.cols ?? 0)), stats: { deviceTimeNs: 0, energyPj: 0, macs: 0 }, wallMs: 0 }
    },
    release: async (id) => { shapes.delete(id); return { tilesFreed: 1 } },
    setEmulatedMacsPerSecond: async () => {},
    stop: async () => {}
  }
  return { inner, gates }
}

describe('memory bound', () => {
  it('counts the tiles at start and refuses a node whose tiles alone do not fit', async () => {
    assert.equal(tileMemoryBytes(PROFILE, 4), 4 * 64 * 64 * TILE_BYTES_PER_CELL)
    assert.equal(workingMemoryBytes(1, PROFILE, 4), 1024 * 1024 - 4 * 64 * 64 * TILE_BYTES_PER_CELL)
    // 256×256 PCM tiles at 40 B per cell: 2.5 MiB each, so 32 take 80 MiB.
    assert.throws(() => workingMemoryBytes(64, createDeviceProfile('pcm'), 32), /32 tiles of 256×256 take 80 MiB, not less than --max-memory-mib 64; at most 24 tiles/)
    await assert.rejects(createTesseraNode({ network: 'local', listen: [], device: 'pcm', tiles: 32, maxMemoryMiB: 64, calibrate: false }), InvalidNodeOptionError)
  })

  it('holds the bytes of an upload from reserve until programmed or released, and refuses one that does not fit', async () => {
    const { inner } = fakeInner()
    const ex = new BudgetedExecutor(inner, new MemoryBudget(64 * 64 * 4 * 2))
    await ex.reserve('a', 64, 64)
    await ex.reserve('b', 64, 64)
    assert.equal(ex.budget.usedBytes(), 2 * 64 * 64 * 4)
    await assert.rejects(ex.reserve('c', 64, 64), InsufficientCapacityError)
    await ex.program('a', new Float32Array(64 * 64), 1)
    assert.equal(ex.budget.usedBytes(), 64 * 64 * 4, 'a programmed upload gives its buffer back')
    await ex.release('b')
    assert.equal(ex.budget.usedBytes(), 0, 'an abandoned upload gives its buffer back')
    await ex.reserve('bad', 64, 64)
    await assert.rejects(ex.program('bad', new Float32Array(64 * 64), 1))
    assert.equal(ex.budget.usedBytes(), 0, 'a failed programming gives its buffer back')
  })

  it('refuses an execute with BUSY while queued executes hold the bound, and takes it once they are answered', async () => {
    const { inner, gates } = fakeInner()
    await inner.reserve('s', 64, 64)
    // Room for one batch-4 execute: input and output of 4 × 64 floats each.
    const ex = new BudgetedExecutor(inner, new MemoryBudget(2 * 4 * 64 * 4))
    const first = ex.execute('s', new Float32Array(4 * 64), 4)
    await assert.rejects(ex.execute('s', new Float32Array(4 * 64), 4), BusyError)
    gates.shift()?.()
    assert.equal((await first).output.length, 4 * 64)
    assert.equal(ex.budget.usedBytes(), 0)
    const second = ex.execute('s', new Float32Array(4 * 64), 4)
    gates.shift()?.()
    assert.equal((await second).output.length, 4 * 64)
  })
})
