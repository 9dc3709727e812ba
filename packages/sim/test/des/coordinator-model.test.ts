import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RunRecorder } from '@tessera/coordinator'
import { createLongTermMemory, createShortTermMemory } from '@tessera/memory'
import { createPolicy } from '@tessera/scheduler'
import { DesCoordinator } from '../../src/des/coordinator-model.js'
import type { DesShard } from '../../src/des/coordinator-model.js'
import { InvariantChecker } from '../../src/des/invariants.js'
import type { NetworkModel } from '../../src/des/network-model.js'
import { peerSpecOf } from '../../src/des/population.js'
import { DesWorld } from '../../src/des/world.js'

/** Stack costs spread evenly over 0 … 40 ms: two requests sent together arrive in either order half the time, unless kept in order. */
const spread: NetworkModel = {
  requestOverheadMs: 0,
  replyOverheadMs: 0,
  pingRttMs: 0,
  relayHopMs: 0,
  bandwidthBytesPerSec: { direct: 1e12, 'hole-punched': 1e12, relayed: 1e12 },
  departureDetectMs: 0,
  publishDelayMs: 0,
  callOverheadQuantilesMs: Array.from({ length: 101 }, (_, k) => 0.4 * k)
}

/** One peer holding two shards, and its coordinator. */
function onePeer (seed: string, network: NetworkModel = spread): { world: DesWorld, c: DesCoordinator, shards: DesShard[] } {
  const world = new DesWorld(seed, network)
  world.addPeer(peerSpecOf({ id: 'p', preset: 'ideal', geometry: 128, tiles: 4, macsPerSecond: 1e9, delayMs: 2 }, 'p'))
  world.start('p', true)
  const c = new DesCoordinator({
    world,
    policy: createPolicy('round-robin'),
    settings: { runId: seed, callsPerPeer: 6, callTimeoutMs: 10_000, batchDeadlineMs: 30_000, routeViewMaxAgeMs: 100 },
    recorder: new RunRecorder(),
    shortTerm: createShortTermMemory(),
    longTerm: createLongTermMemory(),
    invariants: new InvariantChecker(true),
    recentBusyHorizonMs: 30_000
  })
  const shards = ['a', 'b'].map((id): DesShard => {
    const spec = { id, tilesNeeded: 1, geometry: { rows: 128, cols: 128 }, cells: 16_384, bytes: 65_536, sensitivity: 0, expectedLoad: 1, macsPerRequest: 16 * 16_384 }
    world.peers.get('p')?.reserve(c.copyKey(id), 1)
    return { spec, blocks: [], rows: 128, cols: 128, weights: new Float32Array(0), holders: ['p'], programming: [], draining: [], quarantined: [], inFlight: new Map(), tilesByHolder: new Map([['p', 1]]), answeredAtMs: [] }
  })
  return { world, c, shards }
}

describe('DesCoordinator', () => {
  it('delivers the requests sent to one peer together in the order they were sent, whatever stack cost they draw', () => {
    for (let trial = 0; trial < 40; trial++) {
      const { world, c, shards } = onePeer(`fifo-${trial}`)
      const answered: string[] = []
      for (const shard of shards) c.callShard(shard, 16, 30_000, (ok) => { if (ok) answered.push(shard.spec.id) })
      world.queue.runUntil(60_000)
      // The worker serves in arrival order: `a` was sent first, so it is answered first.
      assert.deepEqual(answered, ['a', 'b'], `trial ${trial}`)
    }
  })

  it('holds up every message while the event loop does other work, then delivers them in order', () => {
    const { world, c, shards } = onePeer('stall', { ...spread, callOverheadQuantilesMs: [1, 1], publicationWorkMs: 300 })
    const ends: Array<{ id: string, atMs: number }> = []
    for (const shard of shards) c.callShard(shard, 16, 30_000, (ok) => { if (ok) ends.push({ id: shard.spec.id, atMs: world.nowMs }) })
    // 1 ms after sending, before the requests arrive (2 ms delay + 0.5 ms stack), the loop is taken for 300 ms.
    world.queue.at(1, () => { world.occupyLoop(300) })
    world.queue.runUntil(60_000)
    assert.deepEqual(ends.map((e) => e.id), ['a', 'b'])
    // Held until 301 ms, then served (0.26 ms each at 1e9 MAC/s) and answered after the reply's 2 ms and 0.5 ms.
    assert.ok(ends[0].atMs >= 301 + 2.5 && ends[0].atMs < 301 + 4, `${ends[0].atMs}`)
    const free = onePeer('no-stall', { ...spread, callOverheadQuantilesMs: [1, 1] })
    const freeEnds: number[] = []
    for (const shard of free.shards) free.c.callShard(shard, 16, 30_000, () => { freeEnds.push(free.world.nowMs) })
    free.world.queue.runUntil(60_000)
    assert.ok(freeEnds[1] < 10, `${freeEnds[1]}`)
  })
})
