import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Libp2pRecord } from '@libp2p/record'
import { MemoryDatastore } from 'datastore-core'
import fc from 'fast-check'
import { Key } from 'interface-datastore'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import {
  capacityRecordKey, checkCapacityRecordReplacement, RecordNotNewerError, signCapacityRecord, DHT_NAMESPACE
} from '@tessera/memory'
import { DhtEntryTooLargeError, DhtStoreFullError, DhtStore, EntryIndex } from '../src/index.js'
import type { DhtStoreInit, DhtStoreRefusal, IndexedEntry } from '../src/index.js'
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface'
import type { CapacityRecord } from '@tessera/memory'
import { capacityRecordFields } from '@tessera/testing'

const NOW_MS = 1_795_000_000_000
const encoder = new TextEncoder()

async function peerFromSeed (n: number): Promise<{ key: Ed25519PrivateKey, id: PeerId }> {
  const seed = new Uint8Array(32)
  seed[0] = n & 0xff
  seed[1] = (n >>> 8) & 0xff
  const key = await generateKeyPairFromSeed('Ed25519', seed)
  return { key, id: peerIdFromPrivateKey(key) }
}

/** kad-dht's datastore key of a record key (its `bufferToRecordKey` with the default prefix). */
function recordDsKey (recordKey: Uint8Array): Key {
  return new Key(`/dht/record/${uint8ArrayToString(recordKey, 'base32')}`, false)
}

/** A serialized kad-dht record, as kad-dht hands it to the datastore. */
function kadRecord (recordKey: Uint8Array, value: Uint8Array, receivedAtMs = NOW_MS): Uint8Array {
  return new Libp2pRecord(recordKey, value, new Date(receivedAtMs)).serialize()
}

function providerDsKey (providedKey: string, provider: PeerId): Key {
  return new Key(`/dht/provider/${providedKey}/${provider.toString()}`)
}

function capacityRecord (peer: PeerId, sequence: number, tilesFree = 32): CapacityRecord {
  return capacityRecordFields(peer.toString(), { tilesFree, sequence, issuedAtMs: NOW_MS - 1_000, expiresAtMs: NOW_MS + 60_000 })
}

async function storeFor (self: PeerId, init: Partial<DhtStoreInit> = {}): Promise<{ store: DhtStore, inner: MemoryDatastore, refusals: DhtStoreRefusal[] }> {
  const inner = new MemoryDatastore()
  const refusals: DhtStoreRefusal[] = []
  const store = new DhtStore({
    datastore: inner,
    self,
    ownRecordKey: capacityRecordKey(self),
    replacementRules: { [DHT_NAMESPACE]: (_key, stored, incoming) => checkCapacityRecordReplacement(stored, incoming, NOW_MS) },
    onRefused: (r) => { refusals.push(r) },
    ...init
  })
  await store.load()
  return { store, inner, refusals }
}

/** The keys `/test/<i>` of a generic namespace (no replacement rule involved). */
const testKey = (i: number): Uint8Array => encoder.encode(`/test/${i}`)

describe('DhtStore: replacing a stored record', async () => {
  const self = await peerFromSeed(1)
  const sender = await peerFromSeed(2)
  const key = capacityRecordKey(self.id)

  it('refuses an older record and a second one under the same sequence, keeps the newer, and says why', async () => {
    const { store, inner, refusals } = await storeFor(self.id)
    const newer = kadRecord(key, await signCapacityRecord(capacityRecord(self.id, 2_000, 32), self.key))
    const older = kadRecord(key, await signCapacityRecord(capacityRecord(self.id, 1_940, 0), self.key))
    const sameSequence = kadRecord(key, await signCapacityRecord(capacityRecord(self.id, 2_000, 5), self.key))
    await store.put(recordDsKey(key), newer)
    await assert.rejects(store.senders.run(sender.id, async () => await store.put(recordDsKey(key), older)), RecordNotNewerError)
    await assert.rejects(store.put(recordDsKey(key), sameSequence), RecordNotNewerError)
    assert.deepEqual(await inner.get(recordDsKey(key)), newer)
    assert.equal(refusals.length, 2)
    assert.equal(refusals[0].sender, sender.id.toString())
    assert.equal(refusals[0].key, `/tessera/cap/${self.id.toString()}`)
    assert.match(refusals[0].error.message, /sequence 1940 .* stored sequence 2000/)
    assert.equal(refusals[1].sender, undefined, 'a write outside any stream is the node\'s own')
    assert.equal(store.stats().refused, 2)
  })

  it('replaces the stored record with a newer one; the same bytes again write nothing', async () => {
    const { store, inner } = await storeFor(self.id)
    const first = kadRecord(key, await signCapacityRecord(capacityRecord(self.id, 10), self.key))
    const second = kadRecord(key, await signCapacityRecord(capacityRecord(self.id, 11), self.key))
    await store.put(recordDsKey(key), first)
    await store.put(recordDsKey(key), second)
    assert.deepEqual(await inner.get(recordDsKey(key)), second)
    // A re-put of the stored value with another receive time: same record value, nothing to replace.
    await store.put(recordDsKey(key), kadRecord(key, Libp2pRecord.deserialize(second).value, NOW_MS + 5))
    assert.deepEqual(await inner.get(recordDsKey(key)), second)
    assert.equal(store.stats().records, 1)
  })

  it('in a namespace without a rule, keeps what the selector prefers', async () => {
    const { store, inner } = await storeFor(self.id, { selectors: { test: (_k, records) => records[0][0] >= records[1][0] ? 0 : 1 } })
    await store.put(recordDsKey(testKey(1)), kadRecord(testKey(1), Uint8Array.of(5)))
    await store.put(recordDsKey(testKey(1)), kadRecord(testKey(1), Uint8Array.of(7)))
    await assert.rejects(store.put(recordDsKey(testKey(1)), kadRecord(testKey(1), Uint8Array.of(6))), /preferred/)
    assert.deepEqual(Libp2pRecord.deserialize(await inner.get(recordDsKey(testKey(1)))).value, Uint8Array.of(7))
  })
})

describe('DhtStore: bounds on records', async () => {
  const self = await peerFromSeed(10)
  const senders = await Promise.all([11, 12, 13].map(peerFromSeed))

  it('a sender at its bound loses its own least recently useful record, not anyone else\'s', async () => {
    const { store, inner } = await storeFor(self.id, { limits: { maxRecordsPerPeer: 3, maxRecords: 100 } })
    await store.senders.run(senders[1].id, async () => await store.put(recordDsKey(testKey(100)), kadRecord(testKey(100), Uint8Array.of(1))))
    for (let i = 0; i < 5; i++) {
      await store.senders.run(senders[0].id, async () => await store.put(recordDsKey(testKey(i)), kadRecord(testKey(i), Uint8Array.of(i))))
    }
    const held = await Promise.all([0, 1, 2, 3, 4, 100].map(async (i) => await inner.has(recordDsKey(testKey(i)))))
    assert.deepEqual(held, [false, false, true, true, true, true])
    assert.equal(store.stats().evicted, 2)
  })

  it('at the total bound, records nobody used go before read or renewed ones, and the node\'s own record never goes', async () => {
    const { store, inner } = await storeFor(self.id, { limits: { maxRecords: 4, maxRecordsPerPeer: 100 } })
    const ownKey = capacityRecordKey(self.id)
    await store.put(recordDsKey(ownKey), kadRecord(ownKey, await signCapacityRecord(capacityRecord(self.id, 1), self.key)))
    const honest = testKey(500)
    await store.senders.run(senders[2].id, async () => await store.put(recordDsKey(honest), kadRecord(honest, Uint8Array.of(1))))
    await store.get(recordDsKey(honest)) // served once: useful
    for (let i = 0; i < 20; i++) {
      await store.senders.run(senders[0].id, async () => await store.put(recordDsKey(testKey(i)), kadRecord(testKey(i), Uint8Array.of(i))))
    }
    assert.equal(store.stats().records, 4)
    assert.ok(await inner.has(recordDsKey(ownKey)), 'own record kept')
    assert.ok(await inner.has(recordDsKey(honest)), 'the record that was read is kept')
    assert.deepEqual(await Promise.all([18, 19].map(async (i) => await inner.has(recordDsKey(testKey(i))))), [true, true], 'the newest flood records fill the rest')
    assert.equal(store.stats().evicted, 18)
  })

  it('refuses a record larger than the bound', async () => {
    const { store, inner, refusals } = await storeFor(self.id, { limits: { maxRecordSizeBytes: 100 } })
    await assert.rejects(store.put(recordDsKey(testKey(1)), kadRecord(testKey(1), new Uint8Array(200))), DhtEntryTooLargeError)
    assert.equal(await inner.has(recordDsKey(testKey(1))), false)
    assert.ok(refusals[0].error instanceof DhtEntryTooLargeError)
  })

  it('refuses a write when only pinned entries could make room', async () => {
    const { store } = await storeFor(self.id, { limits: { maxRecords: 1 } })
    const ownKey = capacityRecordKey(self.id)
    await store.put(recordDsKey(ownKey), kadRecord(ownKey, await signCapacityRecord(capacityRecord(self.id, 1), self.key)))
    await assert.rejects(store.put(recordDsKey(testKey(1)), kadRecord(testKey(1), Uint8Array.of(1))), DhtStoreFullError)
  })

  it('on load, indexes what the datastore holds (oldest first) and trims it to the bounds', async () => {
    const inner = new MemoryDatastore()
    for (let i = 0; i < 10; i++) await inner.put(recordDsKey(testKey(i)), kadRecord(testKey(i), Uint8Array.of(i), NOW_MS + i * 1000))
    await inner.put(new Key('/peers/unrelated'), Uint8Array.of(1))
    const store = new DhtStore({ datastore: inner, self: self.id, limits: { maxRecords: 4 } })
    await store.load()
    assert.equal(store.stats().records, 4)
    assert.deepEqual(await Promise.all([5, 6, 7, 8, 9].map(async (i) => await inner.has(recordDsKey(testKey(i))))), [false, true, true, true, true])
    assert.ok(await inner.has(new Key('/peers/unrelated')), 'keys outside the DHT prefixes are not touched')
  })
})

describe('DhtStore: bounds on provider entries', async () => {
  const self = await peerFromSeed(20)
  const peers = await Promise.all(Array.from({ length: 8 }, async (_, i) => (await peerFromSeed(21 + i)).id))
  const provide = async (store: DhtStore, peer: PeerId, providedKey: string): Promise<void> => {
    await store.senders.run(peer, async () => await store.put(providerDsKey(providedKey, peer), Uint8Array.of(1)))
  }

  it('per provided key: a provider that renews its entry outlasts new ones; the node\'s own entry is never evicted', async () => {
    const { store, inner } = await storeFor(self.id, { limits: { maxProvidersPerKey: 3 } })
    await store.put(providerDsKey('CIQA', self.id), Uint8Array.of(1))
    await provide(store, peers[0], 'CIQA')
    await provide(store, peers[0], 'CIQA') // renewed
    for (let i = 1; i < 6; i++) await provide(store, peers[i], 'CIQA')
    assert.ok(await inner.has(providerDsKey('CIQA', self.id)))
    assert.ok(await inner.has(providerDsKey('CIQA', peers[0])))
    assert.ok(await inner.has(providerDsKey('CIQA', peers[5])))
    assert.equal(store.stats().providerEntries, 3)
  })

  it('per provider and in total', async () => {
    const { store, inner } = await storeFor(self.id, { limits: { maxProviderKeysPerPeer: 2, maxProviderEntries: 5 } })
    for (const k of ['CIQA', 'CIQB', 'CIQC']) await provide(store, peers[0], k)
    assert.equal(await inner.has(providerDsKey('CIQA', peers[0])), false, 'a provider keeps its two most recent keys')
    for (let i = 1; i < 6; i++) await provide(store, peers[i], 'CIQD')
    assert.equal(store.stats().providerEntries, 5)
  })

  it('refuses a provider key longer than the bound', async () => {
    const { store } = await storeFor(self.id)
    await assert.rejects(provide(store, peers[0], 'C'.repeat(400)), DhtEntryTooLargeError)
  })
})

describe('EntryIndex', () => {
  it('never exceeds its bounds and never evicts a pinned entry, whatever the writes (property)', () => {
    const limits = { maxEntries: 6, maxPerSender: 3, maxPerGroup: 4 }
    const op = fc.record({ key: fc.nat({ max: 15 }), group: fc.nat({ max: 2 }), sender: fc.option(fc.nat({ max: 3 }), { nil: undefined }), touch: fc.boolean() })
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const index = new EntryIndex(limits)
      const pinned = { key: 'own', group: 'g0', pinned: true }
      index.set(pinned, false)
      for (const o of ops) {
        const entry: IndexedEntry = { key: `k${o.key}`, group: `g${o.group}`, sender: o.sender === undefined ? undefined : `s${o.sender}`, pinned: false }
        const existing = index.get(entry.key)
        if (existing !== undefined) entry.group = existing.group // a key stays in its group
        let victims: string[]
        try {
          victims = index.victimsFor(entry)
        } catch (err) {
          assert.ok(err instanceof DhtStoreFullError)
          continue
        }
        assert.ok(!victims.includes('own'))
        for (const v of victims) index.delete(v)
        index.set(entry, existing !== undefined)
        if (o.touch) index.touch(entry.key)
        assert.ok(index.size <= limits.maxEntries)
        for (let s = 0; s < 4; s++) assert.ok(index.countOfSender(`s${s}`) <= limits.maxPerSender)
        for (let g = 0; g < 3; g++) assert.ok(index.countOfGroup(`g${g}`) <= limits.maxPerGroup)
        assert.ok(index.get('own') !== undefined)
      }
    }), { seed: 42, numRuns: 300 })
  })
})
