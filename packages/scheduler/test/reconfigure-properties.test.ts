import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import fc from 'fast-check'
import { createTesseraPolicy } from '../src/policies/tessera.js'
import { shard } from './fixtures.js'
import { World } from './reconfigure-world.js'
import type { ShardSpec } from '../src/types.js'
import type { WorldPeer } from './reconfigure-world.js'

/** MACs per call of the test shards, and so the calls/s one copy serves at throughput T: T / MACS. */
const MACS = 65_536

const peerArb = (id: string) => fc.record({
  id: fc.constant(id),
  throughput: fc.constantFrom(3e6, 1e7, 3e7),
  speed: fc.constant(1),
  tilesTotal: fc.integer({ min: 2, max: 8 }),
  foreignTiles: fc.integer({ min: 0, max: 1 }),
  trend: fc.constant('stable' as const)
})

const shardsArb = fc.array(fc.record({ tiles: fc.integer({ min: 1, max: 2 }), replicas: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 8 })
  .map((list) => list.map((s, i): ShardSpec => shard(`s${i}`, { tilesNeeded: s.tiles, replicas: s.replicas })))

type Change =
  | { kind: 'join', throughput: number, tiles: number }
  | { kind: 'leave', index: number }
  | { kind: 'leaveMidMove', index: number }
  | { kind: 'slow', index: number, speed: number }
  | { kind: 'trend', index: number, degrading: boolean }
  | { kind: 'load', index: number, rate: number }
  | { kind: 'quiet', steps: number }

const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('join' as const), throughput: fc.constantFrom(3e6, 1e7, 3e7), tiles: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('leave' as const), index: fc.nat() }),
  { arbitrary: fc.record({ kind: fc.constant('leaveMidMove' as const), index: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('slow' as const), index: fc.nat(), speed: fc.constantFrom(0.1, 0.3, 0.6, 1) }), weight: 3 },
  fc.record({ kind: fc.constant('trend' as const), index: fc.nat(), degrading: fc.boolean() }),
  fc.record({ kind: fc.constant('load' as const), index: fc.nat(), rate: fc.double({ min: 0, max: 400, noNaN: true }) }),
  fc.record({ kind: fc.constant('quiet' as const), steps: fc.integer({ min: 1, max: 6 }) })
)

function initialWorld (seed: string, peers: WorldPeer[], shards: ShardSpec[], rates: Map<string, number>, extra: { noise?: number, uploadFailure?: number, confirmChecks?: number, maxConcurrentMigrations?: number }): World {
  const placement = createTesseraPolicy().place({
    shards,
    peers: peers.map((p) => ({ peerId: p.id, path: 'direct', rttMs: 1, device: { preset: 'ideal', geometry: { rows: 256, cols: 256 }, noiseLevel: 0, tilesTotal: p.tilesTotal, tilesFree: p.tilesTotal - p.foreignTiles, throughput: p.throughput } })),
    nowMs: 0,
    rng: createRng(`${seed}/place`)
  })
  return new World({
    seed,
    peers,
    shards,
    rates,
    assignments: placement.assignments,
    noise: extra.noise ?? 0.1,
    uploadFailure: extra.uploadFailure ?? 0.1,
    maxUploadSteps: 3,
    reconfigure: { confirmChecks: extra.confirmChecks, maxConcurrentMigrations: extra.maxConcurrentMigrations }
  })
}

/** Steps the world once and checks the safety invariants around the step's actions. */
function checkedStep (world: World): void {
  const live = (peerId: string): boolean => world.peers.has(peerId)
  const before = new Map([...world.placement].map(([id, list]) => [id, list.filter((r) => live(r.peerId)).map((r) => ({ ...r }))]))
  const result = world.step()
  for (const [shardId, list] of before) {
    const after = (world.placement.get(shardId) ?? []).filter((r) => live(r.peerId))
    // A shard that had a copy with its weights on a live peer (serving or draining) is served after the step.
    if (list.some((r) => r.state === 'active' || r.state === 'draining')) {
      assert.ok(after.some((r) => r.state === 'active'), `shard ${shardId} lost its last active copy: ${JSON.stringify(list)} → ${JSON.stringify(after)}; actions ${JSON.stringify(result.actions)}`)
    }
    // No copy of a shard that was served was dropped without a replacement... and a shard never holds two copies on one peer.
    assert.equal(new Set(after.map((r) => r.peerId)).size, after.length)
  }
  for (const p of world.peers.values()) {
    const used = p.foreignTiles + world.tilesOn(p.id, ['active', 'draining', 'programming'])
    assert.ok(used <= p.tilesTotal, `peer ${p.id}: ${used} tiles in use of ${p.tilesTotal}; actions ${JSON.stringify(result.actions)}`)
  }
  for (const a of result.actions) {
    if (a.kind === 'program') assert.ok(live(a.peerId), `program on departed ${a.peerId}`)
    if (a.kind === 'release' && a.peerGone) assert.ok(!live(a.peerId))
  }
}

describe('reconfigure: properties over random event sequences', () => {
  it('never takes the last active copy of a shard and never over-commits tiles', () => {
    fc.assert(fc.property(
      fc.array(peerArb('').map((p) => p), { minLength: 1, maxLength: 6 }),
      shardsArb,
      fc.array(changeArb, { maxLength: 40 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.string({ maxLength: 6 }),
      (peerList, shards, changes, confirmChecks, maxConcurrentMigrations, seed) => {
        const peers = peerList.map((p, i) => ({ ...p, id: `p${i}` }))
        const rates = new Map(shards.map((s, i) => [s.id, 10 * (i + 1)]))
        const world = initialWorld(seed, peers, shards, rates, { confirmChecks, maxConcurrentMigrations })
        let joined = 0
        const pickPeer = (index: number): WorldPeer | undefined => {
          const ids = [...world.peers.keys()]
          return ids.length === 0 ? undefined : world.peers.get(ids[index % ids.length])
        }
        for (const change of changes) {
          let steps = 1
          switch (change.kind) {
            case 'join': world.join({ id: `j${joined++}`, throughput: change.throughput, speed: 1, tilesTotal: change.tiles, foreignTiles: 0, trend: 'stable' }); break
            case 'leave': { const p = pickPeer(change.index); if (p !== undefined) world.leave(p.id); break }
            case 'leaveMidMove': {
              // The worst moment: the peer of a copy being programmed, or the serving copy of a shard whose
              // other copy is draining, leaves.
              const busy = [...world.placement.values()].flatMap((list) => list.filter((r) => r.state === 'programming' ||
                (r.state === 'active' && list.some((x) => x.state === 'draining'))).map((r) => r.peerId)).filter((id) => world.peers.has(id))
              if (busy.length > 0) world.leave(busy[change.index % busy.length])
              break
            }
            case 'slow': { const p = pickPeer(change.index); if (p !== undefined) p.speed = change.speed; break }
            case 'trend': { const p = pickPeer(change.index); if (p !== undefined) p.trend = change.degrading ? 'degrading' : 'stable'; break }
            case 'load': world.rates.set(shards[change.index % shards.length].id, change.rate); break
            case 'quiet': steps = change.steps; break
          }
          for (let i = 0; i < steps; i++) {
            checkedStep(world)
            world.advance()
          }
        }
      }
    ), { seed: 7, numRuns: 300 })
  })

  it('with steady load, settles and then makes no migration over a simulated hour', () => {
    const STEP_MS = 5000
    const SETTLE_STEPS = 120 // 10 min
    const HOUR_STEPS = 720
    fc.assert(fc.property(
      fc.array(peerArb(''), { minLength: 2, maxLength: 6 }),
      shardsArb,
      fc.double({ min: 0.05, max: 0.6, noNaN: true }),
      fc.array(fc.double({ min: 0.1, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
      fc.string({ maxLength: 6 }),
      (peerList, shards, totalUtilisation, weights, seed) => {
        const peers = peerList.map((p, i) => ({ ...p, id: `p${i}` }))
        // Steady calls/s summing to `totalUtilisation` of the network's capacity, split by random weights.
        const capacity = peers.reduce((sum, p) => sum + p.throughput / MACS, 0)
        const w = shards.map((_, i) => weights[i])
        const wSum = w.reduce((a, b) => a + b, 0)
        const rates = new Map(shards.map((s, i) => [s.id, totalUtilisation * capacity * w[i] / wSum]))
        const world = initialWorld(seed, peers, shards, rates, { uploadFailure: 0 })
        for (let i = 0; i < SETTLE_STEPS; i++) {
          world.step()
          world.advance()
        }
        const settled = world.events.length
        for (let i = 0; i < HOUR_STEPS; i++) {
          world.step()
          world.advance()
        }
        assert.equal(world.nowMs, (SETTLE_STEPS + HOUR_STEPS) * STEP_MS)
        const late = world.events.slice(settled).filter((e) => e.type !== 'admit')
        assert.deepEqual(late.map((e) => `${e.type} ${'shardId' in e ? e.shardId : ''} ${e.reason}`), [])
      }
    ), { seed: 11, numRuns: 15, endOnFailure: true })
  })
})
