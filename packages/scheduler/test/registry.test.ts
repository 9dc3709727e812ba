import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import fc from 'fast-check'
import { InvalidSchedulerOptionError } from '../src/errors.js'
import { createPolicy, POLICY_NAMES } from '../src/registry.js'
import { geometryFits } from '../src/validate.js'
import { longTerm } from './fixtures.js'
import type { PeerView, Placement, ShardSpec } from '../src/types.js'

const side = fc.constantFrom(64, 128, 256, 512)

const peerArb = (index: number): fc.Arbitrary<PeerView> => fc.record({
  rows: side,
  total: fc.integer({ min: 0, max: 12 }),
  used: fc.integer({ min: 0, max: 12 }),
  throughput: fc.double({ min: 1e6, max: 1e10, noNaN: true }),
  noise: fc.double({ min: 0, max: 0.1, noNaN: true }),
  path: fc.constantFrom('direct' as const, 'hole-punched' as const, 'relayed' as const),
  rttMs: fc.double({ min: 0, max: 300, noNaN: true }),
  trend: fc.constantFrom('improving' as const, 'stable' as const, 'degrading' as const, undefined),
  failureRate: fc.double({ min: 0, max: 0.9, noNaN: true })
}).map((r) => ({
  peerId: `peer-${index}`,
  path: r.path,
  rttMs: r.rttMs,
  device: {
    preset: 'pcm',
    geometry: { rows: r.rows, cols: r.rows },
    noiseLevel: r.noise,
    tilesTotal: r.total,
    tilesFree: Math.max(0, r.total - Math.min(r.used, r.total)),
    throughput: r.throughput
  },
  longTerm: r.trend === undefined ? undefined : longTerm(`peer-${index}`, { trend: r.trend, failureRate: r.failureRate })
}))

const shardArb = (index: number): fc.Arbitrary<ShardSpec> => fc.record({
  rows: side,
  cols: side,
  tiles: fc.integer({ min: 1, max: 3 }),
  sensitivity: fc.double({ min: 0, max: 1, noNaN: true }),
  load: fc.double({ min: 0, max: 5, noNaN: true }),
  replicas: fc.integer({ min: 1, max: 3 }),
  bytesScale: fc.double({ min: 0.01, max: 4, noNaN: true })
}).map((r) => ({
  id: `shard-${index}`,
  tilesNeeded: r.tiles,
  geometry: { rows: r.rows, cols: r.cols },
  cells: r.rows * r.cols * r.tiles,
  bytes: Math.round(r.rows * r.cols * r.tiles * r.bytesScale),
  sensitivity: r.sensitivity,
  expectedLoad: r.load,
  requestBytes: (r.rows + r.cols) * 4,
  replicas: r.replicas
}))

const scenario = fc.record({
  peerCount: fc.integer({ min: 0, max: 8 }),
  shardCount: fc.integer({ min: 0, max: 24 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 })
}).chain(({ peerCount, shardCount, seed }) => fc.record({
  peers: fc.tuple(...Array.from({ length: peerCount }, (_, i) => peerArb(i))),
  shards: fc.tuple(...Array.from({ length: shardCount }, (_, i) => shardArb(i))),
  seed: fc.constant(seed)
}))

function checkInvariants (placement: Placement, shards: readonly ShardSpec[], peers: readonly PeerView[]): void {
  const byId = new Map(peers.map((p) => [p.peerId, p]))
  const tiles = new Map<string, number>()
  const placed = new Set<string>()
  for (const s of shards) {
    const holders = placement.assignments.get(s.id)
    if (holders === undefined) {
      assert.ok(placement.unplaced.includes(s.id), `${s.id} neither placed nor unplaced`)
      assert.ok(placement.reasons.has(s.id), `${s.id} unplaced without a reason`)
      continue
    }
    placed.add(s.id)
    assert.ok(!placement.unplaced.includes(s.id))
    assert.ok(holders.length >= 1 && holders.length <= (s.replicas ?? 1), `${s.id}: ${holders.length} copies of ${s.replicas}`)
    assert.equal(new Set(holders).size, holders.length, `${s.id} has two copies on one peer`)
    for (const h of holders) {
      const p = byId.get(h)
      assert.ok(p !== undefined, `unknown peer ${h}`)
      assert.ok(geometryFits(p.device.geometry, s.geometry), `${s.id} does not fit ${h}'s tiles`)
      tiles.set(h, (tiles.get(h) ?? 0) + s.tilesNeeded)
    }
  }
  assert.equal(placement.assignments.size, placed.size)
  assert.equal(placement.unplaced.length, shards.length - placed.size)
  for (const [peerId, n] of tiles) {
    assert.ok(n <= (byId.get(peerId)?.device.tilesFree ?? 0), `${peerId}: ${n} tiles > tilesFree`)
    assert.equal(placement.tilesByPeer.get(peerId), n)
  }
  assert.equal(placement.tilesByPeer.size, tiles.size)
}

describe('policy registry', () => {
  it('knows exactly the six policy names', () => {
    assert.deepEqual([...POLICY_NAMES], ['tessera', 'ray-like', 'memory-proportional', 'petals-like', 'round-robin', 'random'])
    for (const name of POLICY_NAMES) assert.equal(createPolicy(name).name, name)
    assert.throws(() => createPolicy('ray'), (err: unknown) => err instanceof InvalidSchedulerOptionError && /unknown placement policy/.test(err.message))
  })

  for (const name of POLICY_NAMES) {
    it(`${name}: placement invariants hold on random networks, and the same seed gives the same placement`, () => {
      fc.assert(fc.property(scenario, ({ peers, shards, seed }) => {
        const input = { shards, peers, nowMs: 1_000, rng: createRng(seed) }
        const placement = createPolicy(name).place(input)
        checkInvariants(placement, shards, peers)
        const again = createPolicy(name).place({ ...input, rng: createRng(seed) })
        assert.deepEqual(again, placement)
        // Routing always picks one of the shard's copies.
        const policy = createPolicy(name)
        const rng = createRng(`${seed}/route`)
        for (const s of shards) {
          const replicas = placement.assignments.get(s.id) ?? []
          const target = policy.route({ shard: s, replicas, peers, nowMs: 1_000, rng })
          if (replicas.length === 0) assert.equal(target, undefined)
          else assert.ok(replicas.includes(target ?? ''), `${name} routed ${s.id} to ${String(target)}`)
        }
      }), { seed: 7, numRuns: 150 })
    })
  }
})
