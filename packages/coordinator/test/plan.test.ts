import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import type { PeerView } from '@tessera/scheduler'
import { validateJob } from '../src/job.js'
import type { ModelJob } from '../src/job.js'
import { planJob } from '../src/plan.js'

function layer (id: string, inputs: number, outputs: number, seed: string, sensitivity: number): ModelJob['layers'][number] {
  const rng = createRng(seed)
  const weights = new Float32Array(inputs * outputs)
  for (let i = 0; i < weights.length; i++) weights[i] = rng.nextFloat() * 2 - 1
  return { id, inputs, outputs, weights, bias: new Float32Array(outputs), activation: 'relu', sensitivity }
}

const job: ModelJob = { name: 'test', layers: [layer('l0', 300, 200, 'a', 0), layer('l1', 200, 10, 'b', 1)] }
validateJob(job)

function peer (peerId: string, size: number, tilesFree: number, throughput = 1e9): PeerView {
  return { peerId, path: 'direct', rttMs: 1, device: { preset: 'ideal', geometry: { rows: size, cols: size }, noiseLevel: 0, tilesFree, tilesTotal: tilesFree, throughput } }
}

/** Rebuilds every layer from the shards' extents and blocks. */
function rebuild (plan: ReturnType<typeof planJob>): Map<string, Float32Array> {
  const out = new Map(job.layers.map((l) => [l.id, new Float32Array(l.inputs * l.outputs).fill(Number.NaN)]))
  for (const shard of plan.shards) {
    const w = plan.weights.get(shard.id)!
    for (const b of plan.blocks.get(shard.id)!) {
      const l = job.layers.find((x) => x.id === b.matrixId)!
      const m = out.get(b.matrixId)!
      for (let r = 0; r < b.rows; r++) {
        for (let c = 0; c < b.cols; c++) {
          const at = (b.matrixRow + r) * l.outputs + b.matrixCol + c
          assert.ok(Number.isNaN(m[at]), 'each weight is placed once')
          m[at] = w.values[(b.rowOffset + r) * w.cols + b.colOffset + c]
        }
      }
    }
  }
  return out
}

describe('planJob', () => {
  const peers = [peer('a', 128, 8), peer('b', 128, 8), peer('c', 512, 4, 5e9)]

  for (const policy of ['tessera', 'ray-like', 'random']) {
    it(`${policy}: the shards' extents hold every weight of every layer exactly once`, () => {
      const plan = planJob(job, peers, policy, { batch: 16 })
      const rebuilt = rebuild(plan)
      for (const l of job.layers) assert.deepEqual(rebuilt.get(l.id), l.weights)
      assert.equal(plan.weightCells, 300 * 200 + 200 * 10)
    })
  }

  it('tessera packs on the geometry class that fills its tiles best and places only there', () => {
    const plan = planJob(job, peers, 'tessera', { batch: 16 })
    assert.deepEqual(plan.candidates.map((p) => p.peerId).sort(), ['a', 'b'])
    for (const s of plan.shards) assert.ok(s.geometry.rows <= 128 && s.geometry.cols <= 128)
  })

  it('ray-like cuts fixed one-tile blocks at the smallest geometry, one block per tile', () => {
    const plan = planJob(job, peers, 'ray-like', { batch: 16 })
    // 300×200 → 3×2 blocks, 200×10 → 2×1 blocks.
    assert.equal(plan.shards.length, 8)
    for (const blocks of plan.blocks.values()) assert.equal(blocks.length, 1)
  })

  it('a shard\'s work is its calls per request, each a whole-extent MVM of the batch', () => {
    const plan = planJob(job, peers, 'ray-like', { batch: 16 })
    for (const s of plan.shards) {
      assert.equal(s.expectedLoad, 1)
      assert.equal(s.macsPerRequest, s.geometry.rows * s.geometry.cols * 16)
    }
  })
})
