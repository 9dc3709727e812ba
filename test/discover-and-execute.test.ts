// Cross-package: a coordinator discovers volunteer nodes through their signed capacity records (memory), cuts a
// matrix into column shards sized by each record's tile geometry and free tiles, programs them over the shard
// protocol (wire + node), runs a batch and reassembles the product. On ideal devices the result is x·W up to
// float32 rounding.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { createRng } from '@tessera/crossbar'
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'

const FAST = { network: 'local' as const, calibrate: false, recordTtlMs: 5_000, recordRefreshMs: 1_000, metricsIntervalMs: 500, redialIntervalMs: 300 }

function floats (n: number, seed: string): Float32Array {
  const rng = createRng(seed)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.nextFloat() * 2 - 1
  return out
}

describe('coordinator flow over three volunteer nodes', () => {
  let coordinator: TesseraNode
  const volunteers: TesseraNode[] = []

  before(async () => {
    coordinator = await createTesseraNode({ ...FAST, serve: false, dhtClientMode: false })
    const bootstrap = [coordinator.getMultiaddrs()[0].toString()]
    volunteers.push(await createTesseraNode({ ...FAST, bootstrap, device: 'ideal', tiles: 2 }))
    volunteers.push(await createTesseraNode({ ...FAST, bootstrap, device: 'ideal', tiles: 3 }))
    volunteers.push(await createTesseraNode({ ...FAST, bootstrap, device: 'ideal', tiles: 1 }))
  })
  after(async () => {
    await Promise.allSettled([coordinator, ...volunteers].map(async (n) => { await n?.stop() }))
  })

  it('discovers capacity, places column shards by free tiles and reassembles x·W', async () => {
    const deadline = Date.now() + 20_000
    let found = await coordinator.discoverPeers({ timeoutMs: 5_000 })
    while (found.length < volunteers.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      found = await coordinator.discoverPeers({ timeoutMs: 5_000 })
    }
    assert.equal(found.length, volunteers.length)
    assert.deepEqual(found.map((f) => f.record.tilesFree).sort(), [1, 2, 3])

    // Each volunteer takes whole tiles' worth of columns: rows fit one tile, cols = tilesFree × tile cols.
    const rows = 200
    const records = found.map((f) => f.record).sort((a, b) => b.tilesFree - a.tilesFree)
    assert.ok(records.every((r) => r.device.geometry.rows >= rows))
    const widths = records.map((r) => r.tilesFree * r.device.geometry.cols - 7)
    const cols = widths.reduce((a, b) => a + b, 0)
    const w = floats(rows * cols, 'coordinator/w')
    const batch = 6
    const x = floats(batch * rows, 'coordinator/x')

    let colStart = 0
    const parts: Array<{ colStart: number, width: number, output: Float32Array }> = []
    await Promise.all(records.map(async (record, i) => {
      const width = widths[i]
      const start = colStart
      colStart += width
      const shard = new Float32Array(rows * width)
      for (let r = 0; r < rows; r++) shard.set(w.subarray(r * cols + start, r * cols + start + width), r * width)
      const client = coordinator.shardClient(peerIdFromString(record.peerId))
      const programmed = await client.program({ shardId: `w/${start}`, weights: shard, rows, cols: width, seed: i, devicePreset: record.device.preset })
      assert.equal(programmed.tilesUsed, record.tilesFree)
      const result = await client.execute({ shardId: `w/${start}`, input: x, batch })
      parts.push({ colStart: start, width, output: result.output })
      assert.equal((await client.status()).tilesFree, 0)
      assert.equal(await client.release(`w/${start}`), record.tilesFree)
    }))

    let worst = 0
    for (const part of parts) {
      for (let b = 0; b < batch; b++) {
        for (let c = 0; c < part.width; c++) {
          let exact = 0
          let scale = 0
          for (let r = 0; r < rows; r++) {
            const t = x[b * rows + r] * w[r * cols + part.colStart + c]
            exact += t
            scale += Math.abs(t)
          }
          worst = Math.max(worst, Math.abs(part.output[b * part.width + c] - exact) / scale)
        }
      }
    }
    // Ideal devices compute exactly up to float32 accumulation: relative error under rows × 2^-24.
    assert.ok(worst < rows * 2 ** -24, `worst relative error ${worst}`)
  })
})
