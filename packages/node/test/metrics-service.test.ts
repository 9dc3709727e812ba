import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lpStream } from '@libp2p/utils'
import { METRICS_PROTOCOL, encodeMetricsSample, pb } from '@tessera/wire'
import { FAST, startNodes, stopAll, waitFor } from './helpers.js'

describe('metrics push between two nodes', () => {
  it('each node keeps the other\'s latest sample and emits it as an event', async () => {
    const nodes = await startNodes(2, { tiles: 3 })
    try {
      const [a, b] = nodes
      const events: string[] = []
      a.addEventListener('metrics:sample', (evt) => { events.push(evt.detail.peerId) })
      const fromB = await waitFor('a sample from b', () => a.metrics?.latest().get(b.peerId.toString()))
      const fromA = await waitFor('a sample from a', () => b.metrics?.latest().get(a.peerId.toString()))
      assert.equal(fromB.sample.tilesTotal, 3)
      assert.equal(fromB.sample.tilesFree, 3)
      assert.equal(fromA.sample.windowMs, FAST.metricsIntervalMs)
      await waitFor('an event', () => events.includes(b.peerId.toString()) ? true : undefined)
      // Load shows up in the next samples: program a shard on b and run a batch.
      const client = a.shardClient(b.peerId)
      await client.program({ shardId: 'm', weights: new Float32Array(16), rows: 4, cols: 4, seed: 1 })
      await client.execute({ shardId: 'm', input: new Float32Array(8), batch: 2 })
      const loaded = await waitFor('a sample showing the load', () => {
        const s = a.metrics?.latest().get(b.peerId.toString())?.sample
        return s != null && s.tilesFree === 2 && s.executesInWindow > 0 ? s : undefined
      })
      assert.ok(loaded.mvmLatencyP50Ms > 0)
    } finally {
      await stopAll(nodes)
    }
  })
})

describe('metrics receiver', () => {
  it('drops malformed samples and keeps the last good one', async () => {
    const nodes = await startNodes(2, { tiles: 2, metricsIntervalMs: 60_000 })
    try {
      const [a, b] = nodes
      const send = async (frames: Uint8Array[]): Promise<void> => {
        const stream = await b.libp2p.dialProtocol(a.peerId, METRICS_PROTOCOL)
        const lp = lpStream(stream)
        try {
          for (const f of frames) await lp.write(f)
          await stream.close()
        } catch {
          // a may reset the stream on the bad frame
        }
      }
      const good = { queueDepth: 4, inFlight: 1, mvmLatencyP50Ms: 2.5, tilesFree: 1, tilesTotal: 2, sampledAtMs: Date.now(), windowMs: 1000, executesInWindow: 9 }
      await send([encodeMetricsSample(good)])
      const first = await waitFor('the good sample', () => a.metrics?.latest().get(b.peerId.toString()))
      assert.deepEqual(first.sample, good)
      // Garbage, a sample claiming more free tiles than it has, and an oversized frame.
      await send([new Uint8Array([0xff, 0xff, 0xff])])
      await send([pb.MetricsSample.encode({ ...good, tilesFree: 5 })])
      await send([new Uint8Array(100_000)])
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.deepEqual(a.metrics?.latest().get(b.peerId.toString())?.sample, good)
      // Still receiving.
      const next = { ...good, queueDepth: 0, sampledAtMs: good.sampledAtMs + 1 }
      await send([encodeMetricsSample(next)])
      await waitFor('the next sample', () => a.metrics?.latest().get(b.peerId.toString())?.sample.queueDepth === 0 ? true : undefined)
    } finally {
      await stopAll(nodes)
    }
  })
})
