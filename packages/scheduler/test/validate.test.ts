import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidSchedulerInputError } from '../src/errors.js'
import { checkPeers, geometryFits, normaliseShards, TileLedger } from '../src/validate.js'
import { peer, shard } from './fixtures.js'

describe('input validation', () => {
  it('fills shard defaults', () => {
    const [s] = normaliseShards([{ id: 'x', tilesNeeded: 2, geometry: { rows: 8, cols: 4 }, cells: 32, bytes: 128, sensitivity: 0, expectedLoad: 1 }])
    assert.equal(s.macsPerRequest, 32)
    assert.equal(s.requestBytes, 0)
    assert.equal(s.replicas, 1)
  })

  it('rejects bad shards and peers with named errors', () => {
    assert.throws(() => normaliseShards([shard('a'), shard('a')]), (err: unknown) => err instanceof InvalidSchedulerInputError && /shard id a appears twice/.test(err.message))
    for (const bad of [{ id: '' }, { tilesNeeded: 0 }, { geometry: { rows: 0, cols: 4 } }, { sensitivity: 1.5 }, { expectedLoad: Number.NaN }, { replicas: 1.5 }, { bytes: -1 }]) {
      assert.throws(() => normaliseShards([shard('a', bad)]), InvalidSchedulerInputError, JSON.stringify(bad))
    }
    assert.throws(() => checkPeers([peer('a'), peer('a')]), (err: unknown) => err instanceof InvalidSchedulerInputError && /peer a appears twice/.test(err.message))
    for (const bad of [peer('a', { device: { tilesFree: 5, tilesTotal: 4 } }), peer('a', { rttMs: -1 }), peer('a', { path: 'carrier-pigeon' as 'direct' }), peer('a', { device: { throughput: Number.POSITIVE_INFINITY } }), peer('a', { bandwidthBytesPerSec: 0 })]) {
      assert.throws(() => checkPeers([bad]), InvalidSchedulerInputError)
    }
  })
})

describe('TileLedger', () => {
  it('refuses to commit more tiles than a peer has free, or tiles that are too small', () => {
    const p = peer('a', { device: { tilesFree: 3 } })
    const ledger = new TileLedger([p])
    const [two, tall] = normaliseShards([shard('two', { tilesNeeded: 2 }), shard('big', { geometry: { rows: 512, cols: 16 } })])
    assert.equal(ledger.take(p, two), true)
    assert.equal(ledger.take(p, two), false)
    assert.equal(ledger.remaining('a'), 1)
    assert.equal(ledger.take(p, tall), false)
    assert.deepEqual([...ledger.byPeer()], [['a', 2]])
    assert.equal(geometryFits({ rows: 256, cols: 256 }, { rows: 256, cols: 200 }), true)
    assert.equal(geometryFits({ rows: 256, cols: 256 }, { rows: 257, cols: 1 }), false)
  })
})
