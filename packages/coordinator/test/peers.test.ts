import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { createLongTermMemory, createShortTermMemory, REPUTATION_MIN_SPEED_SAMPLES } from '@tessera/memory'
import { CLAIM_CONFIRMATION_SLACK } from '@tessera/scheduler'
import { buildPeerView, connectionPath, pathOfConnections } from '../src/peers.js'
import { fakeTarget } from './fake-run-context.js'

const relayed = { remoteAddr: multiaddr('/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN/p2p-circuit/p2p/12D3KooWBhEXsSK5wWkzuUmXWpaFZTfgKnBp3XUYoELh3cvDQKDw') }
const direct = { remoteAddr: multiaddr('/ip4/127.0.0.1/tcp/4002/p2p/12D3KooWBhEXsSK5wWkzuUmXWpaFZTfgKnBp3XUYoELh3cvDQKDw') }

describe('peer views', () => {
  it('reads the path off the connection: a circuit address is relayed, and a direct connection wins', () => {
    assert.equal(connectionPath(relayed), 'relayed')
    assert.equal(connectionPath(direct), 'direct')
    assert.equal(pathOfConnections([relayed]), 'relayed')
    assert.equal(pathOfConnections([relayed, direct]), 'direct')
    assert.equal(pathOfConnections([]), undefined)
  })

  it('converts the record: GFLOP/s to MAC/s, tiles taken off the free count, emulated delay twice into the RTT', () => {
    const target = fakeTarget('p1', { device: { preset: 'pcm', geometry: { rows: 256, cols: 256 }, noiseLevel: 0.1 }, tilesTotal: 10, tilesFree: 8, throughputGflopPerSecond: 4 }, 0.5)
    const shortTerm = createShortTermMemory()
    shortTerm.observe('p1', { queueDepth: 2 }, 1000)
    const view = buildPeerView({ target, tilesTaken: 3, emulatedDelayMs: 5, shortTerm, nowMs: 1000 })
    assert.equal(view.device.throughput, 2e9)
    assert.equal(view.device.tilesFree, 5)
    assert.equal(view.rttMs, 10.5)
    assert.equal(view.shortTerm?.queueDepth?.latest, 2)
    assert.equal(view.longTerm, undefined)
    assert.equal(view.callSlots, undefined)
    assert.equal(buildPeerView({ target, callSlots: 4, nowMs: 1000 }).callSlots, 4)
  })

  it('counts no more free tiles than the peer\'s tile quota leaves this coordinator, once a refusal told it', () => {
    const target = fakeTarget('p1', { tilesTotal: 16, tilesFree: 12 })
    assert.equal(buildPeerView({ target, tilesTaken: 2, nowMs: 0 }).device.tilesFree, 10)
    assert.equal(buildPeerView({ target, tilesTaken: 2, tileCap: 8, nowMs: 0 }).device.tilesFree, 6)
    assert.equal(buildPeerView({ target, tilesTaken: 2, tileCap: 2, nowMs: 0 }).device.tilesFree, 0)
    assert.equal(buildPeerView({ target, tilesTaken: 1, tileCap: 2, nowMs: 0 }).device.tilesFree, 1, 'a release frees room under the cap')
  })

  it('caps a record\'s throughput claim by the observed throughput once enough calls are in (a 10× speed claimer)', () => {
    // Claims 20 GFLOP/s = 1e10 MAC/s; its calls show 1e9 MAC/s.
    const claimer = fakeTarget('fast-talker', { device: { preset: 'rram-hifi', geometry: { rows: 128, cols: 128 }, noiseLevel: 0.01 }, throughputGflopPerSecond: 20 }, 0.5)
    const longTerm = createLongTermMemory({ bucketMs: 1000 })
    const observe = (n: number): void => {
      for (let i = 0; i < n; i++) longTerm.observe('fast-talker', { ok: true, throughput: 1e9, claimedThroughput: 1e10 }, 100 + i)
    }
    observe(REPUTATION_MIN_SPEED_SAMPLES - 1)
    assert.equal(buildPeerView({ target: claimer, longTerm, nowMs: 1000 }).device.throughput, 1e10, 'a new peer\'s claim stands')
    observe(1)
    const view = buildPeerView({ target: claimer, longTerm, nowMs: 1000 })
    assert.ok(Math.abs(view.device.throughput - CLAIM_CONFIRMATION_SLACK * 1e9) < 1, String(view.device.throughput))
    assert.ok(Math.abs((view.longTerm?.reputation.speed ?? 1) - 0.1) < 1e-9)
  })
})
