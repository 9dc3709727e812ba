import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { TESSERA_CAPABILITY_CID, capacityRecordKey, createCapacityRecordValidator, openCapacityRecord } from '@tessera/memory'
import { BUCKET_MAY_BE_FULL, CapacityPublisher, InvalidNodeOptionError, RecordRejectedError, bucketCid, bucketOfPeer, capabilityBucketCid, resolveRecordTiming } from '../src/index.js'
import type { CapacitySnapshot, PublishResult } from '../src/index.js'
import type { KadDHT } from '@libp2p/kad-dht'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const SNAPSHOT: CapacitySnapshot = {
  device: { preset: 'pcm', geometry: { rows: 256, cols: 256 }, noiseLevel: 0.05 },
  tilesTotal: 8,
  tilesFree: 5,
  throughputGflopPerSecond: 3.5,
  queueDepth: 1,
  reachability: 'public',
  natKind: 'unknown',
  addresses: ['/ip4/127.0.0.1/tcp/4001']
}

/** Records what the publisher puts and provides; answers like one DHT peer that accepts everything. */
function fakeDht (): { dht: KadDHT, puts: Array<{ key: Uint8Array, value: Uint8Array }>, provides: string[] } {
  const puts: Array<{ key: Uint8Array, value: Uint8Array }> = []
  const provides: string[] = []
  const dht = {
    async * put (key: Uint8Array, value: Uint8Array) {
      puts.push({ key, value })
      yield { name: 'PEER_RESPONSE', messageName: 'PUT_VALUE' }
    },
    async * provide (cid: { toString: () => string }) {
      provides.push(cid.toString())
      yield { name: 'PEER_RESPONSE', messageName: 'ADD_PROVIDER' }
    }
  } as unknown as KadDHT
  return { dht, puts, provides }
}

/** Publications are asynchronous: lets each one finish (and schedule the next) between steps of a mocked clock. */
async function settle (): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** Mocked timers plus a clock the test moves: `advance` moves both and lets the publisher's promises settle. */
function mockedClock (t: TestContext): { now: () => number, advance: (ms: number) => Promise<void> } {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  let clockMs = 1_800_000_000_000
  return {
    now: () => clockMs,
    advance: async (ms) => {
      clockMs += ms
      t.mock.timers.tick(ms)
      await settle()
    }
  }
}

describe('CapacityPublisher', () => {
  it('puts a signed record that validates, under its own key, and provides its level-1 and level-2 buckets', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(privateKey)
    const { dht, puts, provides } = fakeDht()
    const now = 1_800_000_000_000
    const validator = createCapacityRecordValidator({ now: () => now })
    const publisher = new CapacityPublisher({ peerId, privateKey, dht, validator, snapshot: () => SNAPSHOT }, { ttlMs: 120_000, refreshMs: 60_000, now: () => now })
    const result = await publisher.publish()
    assert.equal(result.peersAcked, 1)
    assert.equal(result.provided, true)
    assert.deepEqual(puts[0].key, capacityRecordKey(peerId))
    await validator(puts[0].key, puts[0].value)
    const opened = await openCapacityRecord(puts[0].value)
    assert.equal(opened.peerId, peerId.toString())
    assert.equal(opened.tilesFree, 5)
    assert.equal(opened.expiresAtMs - opened.issuedAtMs, 120_000)
    // One key per level of the bucket tree below the root (no node provides the well-known capability CID): the
    // original bucket and a level-2 bucket, every level when the node cannot tell which ones discovery reaches.
    assert.deepEqual([...provides].sort(), [capabilityBucketCid(peerId).toString(), bucketCid(bucketOfPeer(peerId, 2)).toString()].sort())
    assert.ok(!provides.includes(TESSERA_CAPABILITY_CID.toString()))
    // Sequences grow even when the clock does not move.
    const second = await publisher.publish()
    assert.ok(second.record.sequence > result.record.sequence)
  })

  it('refuses to put a record its own validator rejects', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const { dht, puts } = fakeDht()
    const validator = async (): Promise<void> => { throw new Error('nope') }
    const publisher = new CapacityPublisher({ peerId: peerIdFromPrivateKey(privateKey), privateKey, dht, validator, snapshot: () => SNAPSHOT })
    await assert.rejects(publisher.publish(), RecordRejectedError)
    assert.equal(puts.length, 0)
  })

  it('republishes every refresh period until stopped', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    const { dht, puts } = fakeDht()
    const published: number[] = []
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] })
    const publisher = new CapacityPublisher({
      peerId: peerIdFromPrivateKey(privateKey), privateKey, dht, validator: createCapacityRecordValidator(), snapshot: () => SNAPSHOT,
      onPublished: (r) => published.push(r.record.sequence)
    }, { ttlMs: 1_000, refreshMs: 50 })
    try {
      publisher.start()
      await settle()
      assert.equal(puts.length, 1)
      for (let round = 2; round <= 3; round++) {
        t.mock.timers.tick(50)
        await settle()
        assert.equal(puts.length, round, `publication ${round} one refresh period later`)
      }
      publisher.stop()
      // Ten more periods: the clock that drove every publication so far moves on, and nothing is published.
      t.mock.timers.tick(500)
      await settle()
      assert.equal(puts.length, 3, 'no publication after stop')
      assert.ok(published.every((s, i) => i === 0 || s > published[i - 1]))
    } finally {
      publisher.stop()
    }
  })

  it('re-publishes after the first refresh delay, doubling it up to the refresh period', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    const { dht, puts } = fakeDht()
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] })
    const publisher = new CapacityPublisher({
      peerId: peerIdFromPrivateKey(privateKey), privateKey, dht, validator: createCapacityRecordValidator(), snapshot: () => SNAPSHOT
    }, { ttlMs: 60_000, refreshMs: 5_000, firstRefreshMs: 1_000 })
    try {
      publisher.start()
      await settle()
      assert.equal(puts.length, 1)
      // Delays 1 s, 2 s, 4 s, then the 5 s refresh period (not 8 s).
      for (const delayMs of [1_000, 2_000, 4_000, 5_000, 5_000]) {
        const before: number = puts.length
        t.mock.timers.tick(delayMs - 1)
        await settle()
        assert.equal(puts.length, before, `nothing before ${delayMs} ms`)
        t.mock.timers.tick(1)
        await settle()
        assert.equal(puts.length, before + 1, `a publication after ${delayMs} ms`)
      }
    } finally {
      publisher.stop()
    }
  })

  it('starts steps a refresh period apart, however long a publication took', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] })
    const startedAt: number[] = []
    // Each put takes 40 s of the 60 s period (its lookup on a busy network).
    const dht = {
      async * put () {
        startedAt.push(Date.now())
        await new Promise((resolve) => setTimeout(resolve, 40_000))
        yield { name: 'PEER_RESPONSE', messageName: 'PUT_VALUE' }
      },
      async * provide () { yield { name: 'PEER_RESPONSE', messageName: 'ADD_PROVIDER' } }
    } as unknown as KadDHT
    const publisher = new CapacityPublisher({
      peerId: peerIdFromPrivateKey(privateKey), privateKey, dht, validator: createCapacityRecordValidator(), snapshot: () => SNAPSHOT
    }, { ttlMs: 120_000, refreshMs: 60_000, firstRefreshMs: 60_000, dhtTimeoutMs: 50_000 })
    try {
      publisher.start()
      await settle()
      for (let s = 0; s < 130; s++) {
        t.mock.timers.tick(1_000)
        await settle()
      }
      assert.deepEqual(startedAt, [0, 60_000, 120_000])
    } finally {
      publisher.stop()
    }
  })

  it('provides the bucket keys while ramping up, then only once the provide refresh period has passed', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    const { dht, puts, provides } = fakeDht()
    const clock = mockedClock(t)
    const results: PublishResult[] = []
    const publisher = new CapacityPublisher({
      peerId: peerIdFromPrivateKey(privateKey), privateKey, dht, validator: createCapacityRecordValidator({ now: clock.now }), snapshot: () => SNAPSHOT,
      onPublished: (r) => results.push(r)
    }, { ttlMs: 120_000, refreshMs: 60_000, firstRefreshMs: 20_000, provideRefreshMs: 600_000, now: clock.now })
    const { advance } = clock
    try {
      publisher.start()
      await settle()
      // Publications at 0, 20 s and 60 s provide (three keys each); then each minute only the record is put,
      // until 10 min after the last provide (at 660 s).
      await advance(20_000)
      await advance(40_000)
      for (let i = 0; i < 10; i++) await advance(60_000)
      assert.equal(puts.length, 13)
      assert.deepEqual(results.map((r) => r.providedNow ? 1 : 0), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
      assert.equal(provides.length, 4 * 2)
      assert.ok(results.every((r) => r.provided), 'the keys stay provided between their refreshes')
    } finally {
      publisher.stop()
    }
  })

  it('reports a publication that reached no peer in time as zero acks, not as an error', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const stored: Uint8Array[] = []
    // Like kad-dht with an empty routing table: stores locally, then waits for peers until the signal fires.
    const waitForPeers = async function * (signal: AbortSignal): AsyncGenerator<never> {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
      throw signal.reason
    }
    let provides = 0
    const dht = {
      async * put (_key: Uint8Array, value: Uint8Array, options: { signal: AbortSignal }) { stored.push(value); yield * waitForPeers(options.signal) },
      async * provide (_cid: unknown, options: { signal: AbortSignal }) { provides++; yield * waitForPeers(options.signal) }
    } as unknown as KadDHT
    const publisher = new CapacityPublisher({ peerId: peerIdFromPrivateKey(privateKey), privateKey, dht, validator: createCapacityRecordValidator(), snapshot: () => SNAPSHOT }, { dhtTimeoutMs: 50 })
    const result = await publisher.publish()
    assert.equal(result.peersAcked, 0)
    assert.equal(result.provided, false)
    assert.equal(stored.length, 1)
    assert.equal(provides, 2, 'each provide stored the entry locally and waited for peers beside the put')
    assert.equal(publisher.lastPublished(), result)
  })

  it('needs a refresh period shorter than the lifetime', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const components = { peerId: peerIdFromPrivateKey(privateKey), privateKey, dht: fakeDht().dht, validator: createCapacityRecordValidator(), snapshot: () => SNAPSHOT }
    assert.throws(() => new CapacityPublisher(components, { ttlMs: 1000, refreshMs: 1000 }), InvalidNodeOptionError)
    assert.throws(() => new CapacityPublisher(components, { ttlMs: 1000, refreshMs: 0 }), InvalidNodeOptionError)
  })

  it('takes no lifetime longer than validators accept: such a record would be rejected at every publication', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const components = { peerId: peerIdFromPrivateKey(privateKey), privateKey, dht: fakeDht().dht, validator: createCapacityRecordValidator(), snapshot: () => SNAPSHOT }
    assert.throws(() => new CapacityPublisher(components, { ttlMs: 3_600_000 }), /\[1, 600000\] ms/)
    // At the cap, the record it signs passes the validator.
    const publisher = new CapacityPublisher(components, { ttlMs: 600_000 })
    const { record } = await publisher.sign()
    assert.equal(record.expiresAtMs - record.issuedAtMs, 600_000)
  })
})

/**
 * A DHT whose puts and provides are sent to the peers `sentTo()` names (default: the ackers) and acknowledged by the
 * peers `ackers()` names; logs each operation in order.
 */
function ackingDht (ackers: (op: string) => PeerId[], sentTo: (op: string) => PeerId[] = ackers): { dht: KadDHT, ops: string[] } {
  const ops: string[] = []
  const acks = (op: string, messageName: string): Array<{ name: string, messageName: string, from?: PeerId, to?: PeerId }> => [
    ...sentTo(op).map((to) => ({ name: 'SEND_QUERY', messageName, to })),
    ...ackers(op).map((from) => ({ name: 'PEER_RESPONSE', messageName, from }))
  ]
  const dht = {
    async * put () {
      ops.push('put')
      yield * acks('put', 'PUT_VALUE')
    },
    async * provide (cid: { toString: () => string }) {
      const op = `provide ${cid.toString()}`
      ops.push(op)
      yield * acks(op, 'ADD_PROVIDER')
    }
  } as unknown as KadDHT
  return { dht, ops }
}

/** A publisher on a mocked clock with the early-step timing, knowing the peers `known` returns at each step. */
function earlyPublisher (t: TestContext, privateKey: PrivateKey, dht: KadDHT, known: () => PeerId[]): { clock: ReturnType<typeof mockedClock>, published: PublishResult[], publisher: CapacityPublisher } {
  const clock = mockedClock(t)
  const published: PublishResult[] = []
  const publisher = new CapacityPublisher({
    peerId: peerIdFromPrivateKey(privateKey), privateKey, dht, validator: createCapacityRecordValidator({ now: clock.now }), snapshot: () => SNAPSHOT,
    knownPeers: async () => known(),
    onPublished: (r) => published.push(r)
  }, { ttlMs: 120_000, refreshMs: 60_000, firstRefreshMs: 20_000, provideRefreshMs: 600_000, now: clock.now })
  return { clock, published, publisher }
}

describe('CapacityPublisher early steps', () => {

  it('publishes nothing at an early step while the closest known peers hold everything, and again what newcomers moved', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(privateKey)
    const ids = await Promise.all(Array.from({ length: 8 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    let network = ids.slice(0, 4)
    const { dht, ops } = ackingDht(() => network)
    const { clock, published, publisher } = earlyPublisher(t, privateKey, dht, () => network)
    const { advance } = clock
    try {
      publisher.start()
      await settle()
      // The record and level 1; level 2 is reached only through a full level-1 bucket, which four peers are not.
      assert.deepEqual([...ops].sort(), ['put', `provide ${capabilityBucketCid(peerId).toString()}`].sort())
      await advance(20_000)
      assert.equal(ops.length, 2, 'nothing moved: the first early step publishes nothing')
      // Newcomers closer to every key: three of the four closest peers were never sent anything.
      network = [ids[4], ids[5], ids[6], ids[0]]
      await advance(40_000)
      // A refresh period after the first put: the record is due (and moved), and level 1 moved.
      assert.deepEqual([...ops.slice(2)].sort(), ['put', `provide ${capabilityBucketCid(peerId).toString()}`].sort())
      // From now on, a refresh puts the record; the keys are neither due nor moved.
      await advance(60_000)
      assert.deepEqual(ops.slice(4), ['put'])
      assert.deepEqual(published.map((r) => r.providedNow), [true, true, false])
      assert.ok(published.every((r) => r.provided))
    } finally {
      publisher.stop()
    }
  })

  it('publishes nothing at an early step when some of the closest peers did not answer but none is new', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    const ids = await Promise.all(Array.from({ length: 6 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    // Every store goes to all six; two answer in time (a busy network).
    const { dht, ops } = ackingDht(() => ids.slice(0, 2), () => ids)
    const { clock, publisher } = earlyPublisher(t, privateKey, dht, () => ids)
    try {
      publisher.start()
      await settle()
      assert.equal(ops.length, 2)
      await clock.advance(20_000)
      assert.equal(ops.length, 2, 'storing again would reach the same peers')
    } finally {
      publisher.stop()
    }
  })

  it('provides again at the next step a key whose provide reached no peer, and only that key', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(privateKey)
    const holder = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const lost = `provide ${capabilityBucketCid(peerId).toString()}`
    let failing = true
    const { dht, ops } = ackingDht((op) => op === lost && failing ? [] : [holder])
    const { clock, published, publisher } = earlyPublisher(t, privateKey, dht, () => [holder])
    try {
      publisher.start()
      await settle()
      assert.equal(published[0].provided, false, 'one key reached no peer')
      failing = false
      await clock.advance(20_000)
      assert.deepEqual(ops.slice(2), [lost], 'the record is not due yet: the key alone')
      assert.equal(published.length, 1, 'no new record, no publication event')
      assert.equal(publisher.lastPublished()?.provided, true)
    } finally {
      publisher.stop()
    }
  })

  it('provides its level-2 key once it knows enough members of its level-1 bucket for that bucket to be full, not before', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(privateKey)
    const mine = bucketOfPeer(peerId, 1).index
    // Peers of this node's level-1 bucket: with the node, one short of BUCKET_MAY_BE_FULL, then enough.
    const mates: PeerId[] = []
    while (mates.length < BUCKET_MAY_BE_FULL - 1) {
      const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      if (bucketOfPeer(id, 1).index === mine) mates.push(id)
    }
    let known = mates.slice(0, BUCKET_MAY_BE_FULL - 2)
    const { dht, ops } = ackingDht(() => known.slice(0, 1))
    const { clock, published, publisher } = earlyPublisher(t, privateKey, dht, () => known)
    const level2 = `provide ${bucketCid(bucketOfPeer(peerId, 2)).toString()}`
    try {
      publisher.start()
      await settle()
      assert.ok(!ops.includes(level2))
      assert.equal(published[0].provided, true, 'every key discovery can reach is provided')
      known = mates
      await clock.advance(20_000)
      // (Level 1 moved too: the node now knows thirteen peers closer to it than the one it stored at.)
      assert.ok(ops.slice(2).includes(level2), 'provided at the next step')
      assert.equal(publisher.lastPublished()?.provided, true)
    } finally {
      publisher.stop()
    }
  })
})

describe('CapacityPublisher direct refreshes', () => {
  it('refreshes the record straight to its holders while they are its closest peers, through a lookup every provide period and after holders drop out', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(privateKey)
    const holders = await Promise.all(Array.from({ length: 4 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const { dht, ops } = ackingDht(() => holders)
    const direct: string[][] = []
    const stored: Uint8Array[] = []
    let answering = new Set(holders.map(String))
    const clock = mockedClock(t)
    const publisher = new CapacityPublisher({
      peerId, privateKey, dht, validator: createCapacityRecordValidator({ now: clock.now }), snapshot: () => SNAPSHOT,
      knownPeers: async () => holders,
      directPut: async (peer, key) => {
        assert.deepEqual(key, capacityRecordKey(peerId))
        direct.at(-1)!.push(peer.toString())
        return answering.has(peer.toString())
      },
      storeLocally: async (_key, value) => { stored.push(value) }
    }, { ttlMs: 120_000, refreshMs: 60_000, firstRefreshMs: 60_000, provideRefreshMs: 180_000, now: clock.now })
    const refresh = async (): Promise<string[]> => {
      direct.push([])
      const before = ops.length
      await clock.advance(60_000)
      return ops.slice(before)
    }
    try {
      publisher.start()
      await settle()
      assert.deepEqual(ops.filter((o) => o === 'put'), ['put'], 'the first put goes through a lookup')
      assert.deepEqual(await refresh(), [], 'then straight to the holders')
      assert.deepEqual([...direct.at(-1)!].sort(), holders.map(String).sort())
      assert.equal(stored.length, 1, 'and stored locally, as a put through the DHT does')
      assert.deepEqual(await refresh(), [])
      // 180 s after the first lookup: one again, for peers that joined close to the key unknown to this node.
      assert.ok((await refresh()).includes('put'))
      assert.deepEqual(await refresh(), [])
      // Three of the four holders stop answering: the refresh after that goes through a lookup again.
      answering = new Set([holders[0].toString()])
      assert.deepEqual(await refresh(), [])
      assert.ok((await refresh()).includes('put'))
    } finally {
      publisher.stop()
    }
  })
})

describe('resolveRecordTiming', () => {
  it('defaults each of lifetime and refresh from the other, the refresh half the lifetime', () => {
    assert.deepEqual(resolveRecordTiming({}), { ttlMs: 120_000, refreshMs: 60_000 })
    assert.deepEqual(resolveRecordTiming({ ttlMs: 30_000 }), { ttlMs: 30_000, refreshMs: 15_000 })
    assert.deepEqual(resolveRecordTiming({ ttlMs: 600_000 }), { ttlMs: 600_000, refreshMs: 60_000 })
    assert.deepEqual(resolveRecordTiming({ refreshMs: 100_000 }), { ttlMs: 200_000, refreshMs: 100_000 })
    assert.deepEqual(resolveRecordTiming({ refreshMs: 500_000 }), { ttlMs: 600_000, refreshMs: 500_000 })
    assert.deepEqual(resolveRecordTiming({ refreshMs: 1_000 }), { ttlMs: 120_000, refreshMs: 1_000 })
  })

  it('refuses a refresh not shorter than the lifetime, and a lifetime beyond the validators\' cap', () => {
    assert.throws(() => resolveRecordTiming({ ttlMs: 30_000, refreshMs: 60_000 }), /refresh period \(60000 ms\) must be positive and shorter than its lifetime \(30000 ms\)/)
    assert.throws(() => resolveRecordTiming({ ttlMs: 600_001 }), InvalidNodeOptionError)
    assert.throws(() => resolveRecordTiming({ ttlMs: 1 }), InvalidNodeOptionError)
  })
})
