import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { createLongTermMemory, createShortTermMemory } from '@tessera/memory'
import fc from 'fast-check'
import { MIN_REPLICATED_MEMORY_UTILISATION } from '../../src/constants.js'
import { maxThroughput } from '../../src/flow.js'
import { createTesseraPolicy } from '../../src/policies/tessera.js'
import { longTerm, peer, shard } from '../fixtures.js'
import type { PeerView, Placement, ShardSpec } from '../../src/types.js'

const place = (shards: ShardSpec[], peers: PeerView[], seed = 1) =>
  createTesseraPolicy().place({ shards, peers, nowMs: 0, rng: createRng(seed) })

describe('tessera policy: placement', () => {
  it('puts a big shard on a direct peer rather than a relayed peer of equal speed', () => {
    const raised = { dataBytes: 4 * 2 ** 30, durationMs: 30 * 60_000 }
    for (const relayLimits of [undefined, raised]) {
      // The relayed peer is listed first, so list order cannot be what decides.
      const placement = place([shard('big')], [peer('relayed', { path: 'relayed', relayLimits }), peer('direct')])
      assert.deepEqual(placement.assignments.get('big'), ['direct'])
    }
    // With only the relayed peer behind a default relay, the shard cannot go anywhere, and the reason says why.
    const stuck = place([shard('big')], [peer('relayed', { path: 'relayed' })])
    assert.deepEqual(stuck.unplaced, ['big'])
    assert.match(stuck.reasons.get('big') ?? '', /relay's data limit/)
  })

  it('hole-punched peers count as direct', () => {
    const placement = place([shard('a'), shard('b')], [peer('punched', { path: 'hole-punched' }), peer('direct')])
    assert.deepEqual(new Set([...placement.assignments.values()].flat()), new Set(['punched', 'direct']))
  })

  it('avoids a peer whose long-term trend is degrading', () => {
    const peers = [peer('degrading', { longTerm: longTerm('degrading', { trend: 'degrading' }) }), peer('steady', { longTerm: longTerm('steady') })]
    assert.deepEqual(place([shard('s')], peers).assignments.get('s'), ['steady'])
  })

  it('avoids a peer that the dual memory saw slowing down', () => {
    // One-second buckets as a simulation would configure; 24 s of calls, 20 per second, σ = 5 ms of noise;
    // one peer's round trips climb from 20 to 66 ms, the other's stay at 20 ms.
    const longTermMemory = createLongTermMemory({ bucketMs: 1000 })
    const shortTermMemory = createShortTermMemory({ windowMs: 10_000 })
    const rng = createRng('tessera/dual-memory')
    for (let k = 0; k < 24 * 20; k++) {
      const t = k * 50
      for (const [id, latency] of [['steady', 20], ['slowing', 20 + 2 * t / 1000]] as const) {
        const latencyMs = Math.max(0, latency + 5 * rng.nextNormal())
        longTermMemory.observe(id, { ok: true, latencyMs }, t)
        shortTermMemory.observe(id, { ok: true, latencyMs }, t)
      }
    }
    const now = 24_000
    const view = (id: string): PeerView => peer(id, { shortTerm: shortTermMemory.stats(id, now), longTerm: longTermMemory.stats(id, now) })
    assert.equal(view('slowing').longTerm?.trend, 'degrading')
    assert.equal(view('steady').longTerm?.trend, 'stable')
    assert.deepEqual(place([shard('s')], [view('slowing'), view('steady')]).assignments.get('s'), ['steady'])
  })

  it('avoids an unreliable peer and one with large result errors', () => {
    const flaky = [peer('flaky', { longTerm: longTerm('flaky', { failureRate: 0.3 }) }), peer('solid', { longTerm: longTerm('solid') })]
    assert.deepEqual(place([shard('s')], flaky).assignments.get('s'), ['solid'])
    const wrong = [peer('wrong', { longTerm: longTerm('wrong', { resultError: 0.2 }) }), peer('right', { longTerm: longTerm('right', { resultError: 0.001 }) })]
    assert.deepEqual(place([shard('s')], wrong).assignments.get('s'), ['right'])
  })

  it('sends a sensitive layer to the low-noise device even when the noisy one is faster', () => {
    const peers = [
      peer('noisy-fast', { device: { noiseLevel: 0.08, throughput: 4e9 } }),
      peer('quiet', { device: { noiseLevel: 0.01, throughput: 1e9 } })
    ]
    const placement = place([shard('sensitive', { sensitivity: 0.9 }), shard('robust', { sensitivity: 0 })], peers)
    assert.deepEqual(placement.assignments.get('sensitive'), ['quiet'])
    // With one tile on the quiet device, the sensitive shard still gets it although it is listed second.
    const tight = [peers[0], peer('quiet', { device: { noiseLevel: 0.01, tilesFree: 1, tilesTotal: 1 } })]
    const p2 = place([shard('robust', { expectedLoad: 5 }), shard('sensitive', { sensitivity: 0.9 })], tight)
    assert.deepEqual(p2.assignments.get('sensitive'), ['quiet'])
    assert.deepEqual(p2.assignments.get('robust'), ['noisy-fast'])
  })

  it('never over-commits tiles, and reports what does not fit', () => {
    const peers = [peer('a', { device: { tilesFree: 2, tilesTotal: 4 } }), peer('b', { device: { tilesFree: 3 } }), peer('c', { device: { tilesFree: 0 } })]
    const shards = Array.from({ length: 8 }, (_, i) => shard(`s${i}`))
    const placement = place(shards, peers)
    assert.deepEqual(Object.fromEntries(placement.tilesByPeer), { a: 2, b: 3 })
    assert.equal(placement.unplaced.length, 3)
    for (const id of placement.unplaced) assert.match(placement.reasons.get(id) ?? '', /free tile/)
  })

  it('spreads equal shards over equal peers because each assignment raises the predicted queue', () => {
    const shards = Array.from({ length: 6 }, (_, i) => shard(`s${i}`, { macsPerRequest: 1e8 }))
    const placement = place(shards, [peer('a'), peer('b'), peer('c')])
    assert.deepEqual([...placement.tilesByPeer.values()], [2, 2, 2])
  })

  it('gives a faster peer more of the work', () => {
    const shards = Array.from({ length: 8 }, (_, i) => shard(`s${i}`, { macsPerRequest: 1e8 }))
    const placement = place(shards, [peer('slow', { device: { throughput: 1e9 } }), peer('fast', { device: { throughput: 3e9 } })])
    // Balancing committed work: the fast peer should take about three quarters.
    assert.equal(placement.tilesByPeer.get('fast'), 6)
    assert.equal(placement.tilesByPeer.get('slow'), 2)
  })

  it('replicates hot shards on distinct peers, best peers first', () => {
    const peers = [peer('a'), peer('b'), peer('c', { rttMs: 200 })]
    const placement = place([shard('hot', { replicas: 2, expectedLoad: 4 }), shard('cold')], peers)
    const hot = placement.assignments.get('hot') ?? []
    assert.equal(hot.length, 2)
    assert.equal(new Set(hot).size, 2)
    assert.ok(!hot.includes('c'))
    // More copies wanted than peers: as many as there are peers, and a reason for the rest.
    const crowded = place([shard('hot', { replicas: 5 })], peers)
    assert.equal(crowded.assignments.get('hot')?.length, 3)
    assert.match(crowded.reasons.get('hot') ?? '', /3 of 5/)
  })
})

describe('tessera policy: routing', () => {
  it('routes to the replica with the lowest expected completion time, counting pending calls', () => {
    const policy = createTesseraPolicy()
    const peers = [peer('near', { rttMs: 5 }), peer('far', { rttMs: 25 })]
    const input = { shard: shard('s'), replicas: ['near', 'far'], peers, nowMs: 0, rng: createRng(3) }
    assert.equal(policy.route(input), 'near')
    // 65,536 MACs at 1 GMAC/s ≈ 0.066 ms per queued call: 20 ms of RTT difference is about 305 queued calls.
    assert.equal(policy.route({ ...input, pending: new Map([['near', 100]]) }), 'near')
    assert.equal(policy.route({ ...input, pending: new Map([['near', 400]]) }), 'far')
    assert.equal(policy.route({ ...input, replicas: [] }), undefined)
  })
})

/** Rate the placement's copies sustain when calls split among them (flow.ts), requests/s. */
function sustained (placement: Placement, shards: readonly ShardSpec[], peers: readonly PeerView[]): number {
  const rates = new Map(peers.map((p) => [p.peerId, p.device.throughput]))
  return maxThroughput(shards.filter((s) => placement.assignments.has(s.id)).map((s) => ({ id: s.id, work: (s.expectedLoad ?? 1) * (s.macsPerRequest ?? s.cells), holders: placement.assignments.get(s.id) ?? [] })), rates).lambda
}

/** Most tiles the shards some peer alone holds would lack on the other peers' free tiles if it left (≤ 0: none). */
function recoveryDeficit (placement: Placement, shards: readonly ShardSpec[], peers: readonly PeerView[]): number {
  const sole = new Map<string, number>()
  for (const s of shards) {
    const holders = placement.assignments.get(s.id) ?? []
    if (holders.length === 1) sole.set(holders[0], (sole.get(holders[0]) ?? 0) + s.tilesNeeded)
  }
  const free = (p: PeerView): number => p.device.tilesFree - (placement.tilesByPeer.get(p.peerId) ?? 0)
  const total = peers.reduce((sum, p) => sum + free(p), 0)
  return Math.max(...peers.map((p) => (sole.get(p.peerId) ?? 0) - (total - free(p))))
}

/** Weights held ÷ cells allocated over every copy (the run metric's ratio for a placement held throughout). */
function memoryUse (placement: Placement, shards: readonly ShardSpec[], peers: readonly PeerView[]): number {
  const byId = new Map(peers.map((p) => [p.peerId, p]))
  let cells = 0
  let allocated = 0
  for (const s of shards) {
    for (const h of placement.assignments.get(s.id) ?? []) {
      const g = byId.get(h)?.device.geometry ?? { rows: 0, cols: 0 }
      cells += s.cells
      allocated += s.tilesNeeded * g.rows * g.cols
    }
  }
  return allocated > 0 ? cells / allocated : 1
}

describe('tessera policy: speed-proportional replication (maxReplicas)', () => {
  // The demo's mix in miniature: 128×128 tiles, rates spread 10×, full shards and one sparse leftover tile.
  const network = (): PeerView[] => [
    peer('fast', { device: { geometry: { rows: 128, cols: 128 }, throughput: 10e6, tilesFree: 6, tilesTotal: 6 } }),
    peer('mid', { device: { geometry: { rows: 128, cols: 128 }, throughput: 4e6, tilesFree: 12, tilesTotal: 12 } }),
    peer('slow', { device: { geometry: { rows: 128, cols: 128 }, throughput: 1e6, tilesFree: 16, tilesTotal: 16 } })
  ]
  const layer = (maxReplicas?: number): ShardSpec[] => [
    ...Array.from({ length: 6 }, (_, i) => shard(`full${i}`, { geometry: { rows: 128, cols: 128 }, cells: 16_384, bytes: 65_536, macsPerRequest: 16_384, ...(maxReplicas !== undefined ? { maxReplicas } : {}) })),
    shard('sparse', { geometry: { rows: 32, cols: 128 }, cells: 4096, bytes: 16_384, macsPerRequest: 4096, expectedLoad: 2, ...(maxReplicas !== undefined ? { maxReplicas } : {}) })
  ]

  it('adds copies where they raise the rate the placement sustains, keeping memory use and distinct peers', () => {
    const peers = network()
    const single = place(layer(), peers)
    const split = place(layer(3), peers)
    assert.ok([...single.assignments.values()].every((h) => h.length === 1))
    const before = sustained(single, layer(), peers)
    const after = sustained(split, layer(3), peers)
    // The whole network's rate over the whole work is the most any placement can sustain.
    const ceiling = 15e6 / (6 * 16_384 + 2 * 4096)
    assert.ok(after > before * 1.05, `${after} vs ${before}`)
    assert.ok(after <= ceiling * (1 + 1e-6))
    assert.ok(memoryUse(split, layer(3), peers) >= Math.min(MIN_REPLICATED_MEMORY_UTILISATION, memoryUse(single, layer(), peers)) - 1e-12)
    for (const holders of split.assignments.values()) {
      assert.ok(holders.length <= 3)
      assert.equal(new Set(holders).size, holders.length)
    }
  })

  it('never copies a sensitive shard onto a noisier device than the one holding it', () => {
    const peers = [
      peer('quiet', { device: { noiseLevel: 0, throughput: 1e6 } }),
      peer('noisy-fast', { device: { noiseLevel: 0.13, throughput: 8e6 } })
    ]
    const placement = place([shard('sensitive', { sensitivity: 1, maxReplicas: 2 }), shard('robust', { sensitivity: 0, maxReplicas: 2, expectedLoad: 0.01 })], peers)
    assert.deepEqual(placement.assignments.get('sensitive'), ['quiet'])
  })

  it('routes calls of a split shard in proportion to its copies\' rates under load', () => {
    const peers = [peer('a', { device: { throughput: 3e9 } }), peer('b', { device: { throughput: 1e9 } })]
    const policy = createTesseraPolicy()
    const shards = [shard('s', { maxReplicas: 2 })]
    const placement = policy.place({ shards, peers, nowMs: 0, rng: createRng(7) })
    assert.deepEqual([...(placement.assignments.get('s') ?? [])].sort(), ['a', 'b'])
    const pending = new Map<string, number>()
    const rng = createRng(8)
    for (let i = 0; i < 400; i++) {
      const to = policy.route({ shard: shards[0], replicas: ['a', 'b'], peers, nowMs: 0, rng, pending }) as string
      pending.set(to, (pending.get(to) ?? 0) + 1)
    }
    // Equal round trips: a call goes where (outstanding + 1) ÷ rate is least, so outstanding calls settle at 3:1 (± a call).
    assert.ok(Math.abs((pending.get('a') ?? 0) - 300) <= 2, JSON.stringify([...pending]))
  })

  it('on random networks: copies stay within maxReplicas and free tiles, leave room to recover from a peer\'s loss, never lower the sustained rate, and the same seed gives the same placement', () => {
    const instance = fc.record({
      rates: fc.array(fc.double({ min: 1e6, max: 2e7, noNaN: true }), { minLength: 2, maxLength: 7 }),
      tiles: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 7, maxLength: 7 }),
      shards: fc.array(fc.record({ rows: fc.constantFrom(16, 64, 128), load: fc.integer({ min: 1, max: 4 }), sensitivity: fc.constantFrom(0, 0.5, 1) }), { minLength: 1, maxLength: 10 }),
      maxReplicas: fc.integer({ min: 1, max: 7 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 })
    })
    fc.assert(fc.property(instance, ({ rates, tiles, shards: specs, maxReplicas, seed }) => {
      const peers = rates.map((r, i) => peer(`p${i}`, { device: { geometry: { rows: 128, cols: 128 }, throughput: r, tilesFree: tiles[i], tilesTotal: 10, noiseLevel: i % 3 === 0 ? 0.13 : 0.01 } }))
      const shards = (m?: number): ShardSpec[] => specs.map((s, i) => shard(`s${i}`, { geometry: { rows: s.rows, cols: 128 }, cells: s.rows * 128, bytes: s.rows * 512, macsPerRequest: s.rows * 128, expectedLoad: s.load, sensitivity: s.sensitivity, ...(m !== undefined ? { maxReplicas: m } : {}) }))
      const base = place(shards(), peers, seed)
      const split = place(shards(maxReplicas), peers, seed)
      assert.deepEqual(place(shards(maxReplicas), peers, seed), split)
      const taken = new Map<string, number>()
      for (const s of shards(maxReplicas)) {
        const holders = split.assignments.get(s.id) ?? []
        assert.ok(holders.length <= maxReplicas)
        assert.equal(new Set(holders).size, holders.length)
        // The first copy is where the placement without room for more put it.
        assert.equal(holders[0], base.assignments.get(s.id)?.[0])
        for (const h of holders) taken.set(h, (taken.get(h) ?? 0) + 1)
      }
      for (const p of peers) assert.ok((taken.get(p.peerId) ?? 0) <= p.device.tilesFree)
      assert.ok(sustained(split, shards(maxReplicas), peers) >= sustained(base, shards(), peers) * (1 - 1e-9))
      // Copies never take the free tiles that re-placing a leaving peer's sole copies needs.
      assert.ok(recoveryDeficit(split, shards(maxReplicas), peers) <= Math.max(0, recoveryDeficit(base, shards(), peers)))
      assert.ok(memoryUse(split, shards(maxReplicas), peers) >= Math.min(MIN_REPLICATED_MEMORY_UTILISATION, memoryUse(base, shards(), peers)) - 1e-9)
    }), { seed: 15, numRuns: 150 })
  })
})
