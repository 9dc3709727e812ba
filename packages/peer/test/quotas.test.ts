import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_FRAME_SIZE_BYTES, QuotaExceededError } from '@tessera/wire'
import { ByteRateLimiter, PeerLedger, ShardLeases, connectionLimitsFor, defaultMaxTilesPerPeer, leaseSweepMs, tilesFor } from '../src/index.js'

describe('per-peer ledger', () => {
  it('refuses past the limit with what and how much, gives back on release, and forgets idle peers', () => {
    const ledger = new PeerLedger()
    ledger.acquire('a', 'tiles', 4, 3)
    assert.throws(() => { ledger.acquire('a', 'tiles', 4, 2) }, (err: unknown) => err instanceof QuotaExceededError && err.quota?.requested === 5 && err.quota.limit === 4)
    ledger.acquire('b', 'tiles', 4, 4)
    ledger.release('a', 'tiles', 3)
    ledger.acquire('a', 'tiles', 4, 4)
    assert.equal(ledger.heldBy('a', 'tiles'), 4)
    ledger.release('a', 'tiles', 4)
    ledger.release('b', 'tiles', 4)
    assert.equal(ledger.peers(), 0)
  })
})

describe('byte rate per peer', () => {
  it('lets a burst of one second through, then makes the peer wait for what it sent beyond its rate', () => {
    let nowMs = 0
    const rate = new ByteRateLimiter(2 * MAX_FRAME_SIZE_BYTES, () => nowMs)
    assert.equal(rate.debit('a', 2 * MAX_FRAME_SIZE_BYTES), 0)
    // Another second's worth at once: a full second of debt.
    assert.equal(rate.debit('a', 2 * MAX_FRAME_SIZE_BYTES), 1000)
    // Other peers have buckets of their own.
    assert.equal(rate.debit('b', MAX_FRAME_SIZE_BYTES), 0)
    nowMs += 1500
    // Half a second paid back since; one frame more (half a second) leaves it at zero.
    assert.equal(rate.debit('a', MAX_FRAME_SIZE_BYTES), 0)
  })

  it('drops the buckets of idle peers once many peers were seen', () => {
    let nowMs = 0
    const rate = new ByteRateLimiter(1024, () => nowMs)
    for (let i = 0; i < 300; i++) rate.debit(`p${i}`, 10)
    nowMs += 60_000
    rate.debit('late', 10)
    assert.ok(rate.size() <= 2, `${rate.size()} buckets kept`)
  })
})

describe('leases', () => {
  it('expire leaseMs after the last grant or renewal, and only then', () => {
    let nowMs = 0
    const leases = new ShardLeases(1000, () => nowMs)
    leases.grant('a')
    leases.grant('b')
    nowMs = 900
    assert.ok(leases.renew('a'))
    assert.ok(!leases.renew('missing'))
    nowMs = 1000
    assert.deepEqual(leases.takeExpired(), ['b'])
    nowMs = 1899
    assert.deepEqual(leases.takeExpired(), [])
    nowMs = 1900
    assert.deepEqual(leases.takeExpired(), ['a'])
    assert.equal(leases.size(), 0)
    assert.equal(leaseSweepMs(300_000), 5_000)
    assert.equal(leaseSweepMs(1_500), 150)
  })
})

describe('defaults by role', () => {
  it('takes half the pool per peer on public and all of it on local; counts tiles per grid block', () => {
    assert.equal(defaultMaxTilesPerPeer(32, 'public'), 16)
    assert.equal(defaultMaxTilesPerPeer(1, 'public'), 1)
    assert.equal(defaultMaxTilesPerPeer(32, 'local'), 32)
    assert.equal(tilesFor(513, 256, 256, 256), 3)
  })

  it('bounds connections tighter for a volunteer than for a relay, and allows loopback only on local', () => {
    const volunteer = connectionLimitsFor('public', false)
    const relay = connectionLimitsFor('public', true)
    assert.equal(volunteer.allow, undefined)
    assert.ok(volunteer.maxConnections < relay.maxConnections)
    assert.ok(volunteer.maxIncomingPendingConnections < relay.maxIncomingPendingConnections)
    assert.deepEqual(connectionLimitsFor('local', false).allow, ['/ip4/127.0.0.0/ipcidr/8'])
    assert.equal(connectionLimitsFor('public', false, { maxConnections: 3 }).maxConnections, 3)
  })
})
