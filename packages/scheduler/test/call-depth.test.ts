import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { expectedCompletionMs, pathBusyFraction } from '../src/call-depth.js'
import { createTesseraPolicy } from '../src/policies/tessera.js'
import { reachableRates, typicalCall } from '../src/policies/tessera-balance.js'
import { createScoreModel } from '../src/score.js'
import { normaliseShards } from '../src/validate.js'
import { peer, shard } from './fixtures.js'

describe('call depth: what a path with few call slots leaves of a peer', () => {
  it('busy fraction: s·c / (r + c), at most 1, and 1 without a slot limit', () => {
    assert.equal(pathBusyFraction({}, 60, 40), 1)
    assert.equal(pathBusyFraction({ callSlots: 2 }, 60, 40), 0.8)
    assert.equal(pathBusyFraction({ callSlots: 1 }, 60, 40), 0.4)
    assert.equal(pathBusyFraction({ callSlots: 4 }, 60, 40), 1)
  })

  it('completion: the device queue, or the slots\' turns when the path is long against the calls', () => {
    // No slot limit: the path, then this call behind the pending ones on the device.
    assert.equal(expectedCompletionMs({}, 60, 40, 3), 60 + 4 * 40)
    // Two slots, 60 ms on the path and 40 on the device: the 3rd call waits for a slot's whole turn (100 ms).
    assert.equal(expectedCompletionMs({ callSlots: 2 }, 60, 40, 0), 100)
    assert.equal(expectedCompletionMs({ callSlots: 2 }, 60, 40, 1), 140)
    assert.equal(expectedCompletionMs({ callSlots: 2 }, 60, 40, 2), 200)
    // One slot: every call pays the whole round trip; a short path with many slots is bound by the device only.
    assert.equal(expectedCompletionMs({ callSlots: 1 }, 60, 40, 4), 500)
    assert.equal(expectedCompletionMs({ callSlots: 6 }, 2, 40, 4), 202)
  })
})

describe('tessera routing with call slots', () => {
  // A fast relayed peer (50 ms calls, 60 ms round trip plus 2 KiB at the relayed bandwidth) and a slower direct one.
  const nat = (callSlots?: number) => peer('nat', { path: 'relayed', rttMs: 60, ...(callSlots !== undefined ? { callSlots } : {}), device: { throughput: 10e6 } })
  const direct = peer('direct', { rttMs: 2, callSlots: 6, device: { throughput: 4e6 } })
  const split = (callSlots?: number): number => {
    const policy = createTesseraPolicy()
    const s = shard('s', { macsPerRequest: 500_000, maxReplicas: 2 })
    const pending = new Map<string, number>()
    const rng = createRng(5)
    for (let i = 0; i < 400; i++) {
      const to = policy.route({ shard: s, replicas: ['nat', 'direct'], peers: [nat(callSlots), direct], nowMs: 0, rng, pending }) as string
      pending.set(to, (pending.get(to) ?? 0) + 1)
    }
    return pending.get('nat') ?? 0
  }
  const model = createScoreModel()
  const natPathMs = 60 + (2048 / model.bandwidthBytesPerSec.relayed) * 1000

  it('with one slot, a relayed peer is sent calls at the rate its round trips allow, not its device\'s', () => {
    // Outstanding calls settle where the next call costs the same on both: the relayed one takes a call per
    // (path + 50 ms) with one slot, per 50 ms without a limit; the direct one a call per 125 ms.
    const share = (perCallMs: number): number => 400 * (1 / perCallMs) / (1 / perCallMs + 1 / 125)
    const limited = split(1)
    const unlimited = split()
    assert.ok(Math.abs(limited - share(natPathMs + 50)) <= 3, `${limited} vs ${share(natPathMs + 50)}`)
    assert.ok(Math.abs(unlimited - share(50)) <= 3, `${unlimited} vs ${share(50)}`)
  })

  it('with enough slots to cover the round trip, the split is the devices\' again', () => {
    // Three slots: 3 × 50 ms of compute per 111.6 ms turn, more than the device can do; the device bounds.
    assert.equal(split(3), split())
  })
})

describe('tessera replication: rates a path lets the coordinator reach', () => {
  const model = createScoreModel()
  const shards = normaliseShards([
    shard('full', { macsPerRequest: 400_000, requestBytes: 32_768 }),
    shard('small', { macsPerRequest: 100_000, requestBytes: 8192, expectedLoad: 2 })
  ])

  it('the typical call weighs each shard\'s calls by the work they carry', () => {
    // Work per request: 400,000 (full) and 2 × 100,000 (small); weighted: (400k·400k + 200k·100k) / 600k.
    const call = typicalCall(shards)
    assert.equal(call.macs, (400_000 * 400_000 + 200_000 * 100_000) / 600_000)
    assert.equal(call.requestBytes, (400_000 * 32_768 + 200_000 * 8192) / 600_000)
  })

  it('a relayed peer with few slots and a long round trip counts at the part of its rate the slots reach', () => {
    const peers = [
      peer('nat', { path: 'relayed', rttMs: 60, callSlots: 2, device: { throughput: 10e6 } }),
      peer('unlimited', { path: 'relayed', rttMs: 60, device: { throughput: 10e6 } }),
      peer('direct', { rttMs: 2, callSlots: 6, device: { throughput: 4e6 } })
    ]
    const rates = reachableRates(peers, shards, model)
    const call = typicalCall(shards)
    const callMs = (call.macs / 10e6) * 1000
    const pathMs = 60 + (call.requestBytes / model.bandwidthBytesPerSec.relayed) * 1000
    assert.ok(Math.abs((rates.get('nat') ?? 0) - 10e6 * (2 * callMs) / (pathMs + callMs)) < 1e-6)
    assert.ok((rates.get('nat') ?? 0) < 10e6)
    assert.equal(rates.get('unlimited'), 10e6)
    assert.equal(rates.get('direct'), 4e6)
  })
})
