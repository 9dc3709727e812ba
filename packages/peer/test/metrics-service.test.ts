import assert from 'node:assert/strict'
import { once } from 'node:events'
import { describe, it } from 'node:test'
import { lpStream } from '@libp2p/utils'
import { METRICS_PROTOCOL, encodeMetricsSample, pb } from '@tessera/wire'
import { MetricsService, createTesseraNode } from '../src/index.js'
import { FAST, startNodes, stopAll, waitFor } from './helpers.js'
import type { PeerSample, TesseraNode } from '../src/index.js'
import type { Stream } from '@libp2p/interface'

describe('metrics push between two nodes', () => {
  it('each node keeps the other\'s latest sample and emits it as an event', async () => {
    const nodes = await startNodes(2, { tiles: 3 })
    try {
      const [a, b] = nodes
      // Volunteers push only to peers pushing to them; a pushes to everyone, as a coordinator on it would.
      a.metrics?.pushToEveryone()
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

describe('metrics push among volunteers', () => {
  it('a volunteer pushes to the peers pushing to it, not to other volunteers', async () => {
    const nodes = await startNodes(3, { tiles: 2 })
    try {
      const [a, b, c] = nodes
      a.metrics?.pushToEveryone()
      await b.libp2p.dial(c.getMultiaddrs()[0])
      const fromA = { b: 0, c: 0 }
      const fromB = { a: 0, c: 0 }
      b.addEventListener('metrics:sample', (evt) => { if (evt.detail.peerId === a.peerId.toString()) fromA.b++ })
      c.addEventListener('metrics:sample', (evt) => {
        if (evt.detail.peerId === a.peerId.toString()) fromA.c++
        if (evt.detail.peerId === b.peerId.toString()) fromB.c++
      })
      a.addEventListener('metrics:sample', (evt) => { if (evt.detail.peerId === b.peerId.toString()) fromB.a++ })
      // b answers a's pushes with its own...
      await waitFor('b pushing to a', () => fromB.a >= 3 ? true : undefined)
      // ...while c, which only a pushes to, hears a several times over the same intervals and never b.
      await waitFor('c hearing a', () => fromA.c >= 5 ? true : undefined)
      assert.ok(fromA.b >= 3)
      assert.equal(fromB.c, 0)
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
      // Resolves once a has closed or reset the stream: it has then read every frame it will, and kept or dropped it.
      const send = async (frames: Uint8Array[]): Promise<void> => {
        const stream = await b.libp2p.dialProtocol(a.peerId, METRICS_PROTOCOL)
        const closed = once(stream, 'close')
        const lp = lpStream(stream)
        try {
          for (const f of frames) await lp.write(f)
          await stream.close()
        } catch {
          // a may reset the stream on the bad frame before we are done writing: the close event says so too.
        }
        await closed
      }
      const good = { queueDepth: 4, inFlight: 1, mvmLatencyP50Ms: 2.5, tilesFree: 1, tilesTotal: 2, sampledAtMs: Date.now(), windowMs: 1000, executesInWindow: 9 }
      await send([encodeMetricsSample(good)])
      const first = await waitFor('the good sample', () => a.metrics?.latest().get(b.peerId.toString()))
      assert.deepEqual(first.sample, good)
      // Garbage, a sample claiming more free tiles than it has, and an oversized frame.
      await send([new Uint8Array([0xff, 0xff, 0xff])])
      await send([pb.MetricsSample.encode({ ...good, tilesFree: 5 })])
      await send([new Uint8Array(100_000)])
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

describe('metrics push at scale', () => {
  it('serves the least recently pushed peers first under a per-interval cap, on one reused stream per peer', async () => {
    // Timers far away: only the explicit pushAll calls below push.
    const nodes: Array<TesseraNode | undefined> = await startNodes(3, { metricsIntervalMs: 60_000 })
    let pusher: TesseraNode | undefined
    let service: MetricsService | undefined
    try {
      pusher = await createTesseraNode({ ...FAST, serve: false })
      nodes.push(pusher)
      const receivers = nodes.slice(0, 3) as TesseraNode[]
      for (const r of receivers) await pusher.libp2p.dial(r.getMultiaddrs()[0])
      await waitFor('identify of every receiver', async () => {
        for (const r of receivers) {
          const p = await pusher?.libp2p.peerStore.get(r.peerId).catch(() => undefined)
          if (p?.protocols.includes(METRICS_PROTOCOL) !== true) return undefined
        }
        return true
      })
      const received = new Map<string, number>()
      for (const r of receivers) {
        received.set(r.peerId.toString(), 0)
        r.addEventListener('metrics:sample', (evt: CustomEvent<PeerSample>) => {
          if (evt.detail.peerId === pusher?.peerId.toString()) received.set(r.peerId.toString(), (received.get(r.peerId.toString()) ?? 0) + 1)
        })
      }
      let queueDepth = 0
      service = new MetricsService(pusher.libp2p, () => ({ queueDepth: queueDepth++, inFlight: 0, mvmLatencyP50Ms: 0, tilesFree: 0, tilesTotal: 0, sampledAtMs: Date.now(), windowMs: 60_000, executesInWindow: 0 }), { intervalMs: 60_000, maxPushesPerInterval: 1 })
      await service.start()
      for (let round = 1; round <= 2; round++) {
        for (let i = 0; i < receivers.length; i++) assert.equal(await service.pushAll(), 1)
        // Three capped pushes reach three different peers: each receiver has heard `round` samples.
        await waitFor(`round ${round} at every receiver`, () => [...received.values()].every((n) => n === round) ? true : undefined)
      }
      for (const r of receivers) {
        const pushStreams: Stream[] = pusher.libp2p.getConnections(r.peerId).flatMap((c): Stream[] => c.streams)
          .filter((stream) => stream.protocol === METRICS_PROTOCOL && stream.direction === 'outbound')
        assert.equal(pushStreams.length, 1, 'one push stream per peer, reused')
      }
    } finally {
      await service?.stop()
      await stopAll(nodes)
    }
  })
})
