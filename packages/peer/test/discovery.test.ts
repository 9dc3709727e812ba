import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createRng } from '@tessera/crossbar'
import { TESSERA_CAPABILITY_CID, createCapacityRecordValidator, openCapacityRecord } from '@tessera/memory'
import {
  CAPABILITY_BUCKET_CIDS, RECORD_READ_QUORUM, WALK_READ_CONCURRENCY, capabilityBucketCid, capabilityBucketOf, discoverCapacityRecords,
  discoverPeersByWalk, readCapacityRecord
} from '../src/index.js'
import { CAPABILITY_BUCKETS, DHT_FIND_PROVIDERS_LIMIT } from '../src/constants.js'
import { signedRecordOf } from './helpers.js'
import type { KadDHT } from '@libp2p/kad-dht'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const NOW = 1_800_000_000_000

async function seededKey (seed: string): Promise<PrivateKey> {
  const rng = createRng(seed)
  const bytes = new Uint8Array(32)
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.nextInt(256)
  return await generateKeyPairFromSeed('Ed25519', bytes)
}

async function signedRecord (key: PrivateKey, sequence: number): Promise<Uint8Array> {
  return await signedRecordOf(key, NOW, { sequence })
}

/** The DHT with every record read counted: `read` lists the peer ids whose record was asked for. */
function countingReads (dht: KadDHT): { counting: KadDHT, read: string[] } {
  const read: string[] = []
  const counting = Object.assign(Object.create(dht), {
    get: (key: Uint8Array, options: unknown) => {
      read.push(new TextDecoder().decode(key).split('/').pop() as string)
      return dht.get(key, options as Parameters<KadDHT['get']>[1])
    }
  }) as KadDHT
  return { counting, read }
}

describe('capability buckets', () => {
  it('are distinct CIDs, none the well-known one, and a peer always maps to the same one', async () => {
    const cids = CAPABILITY_BUCKET_CIDS.map((c) => c.toString())
    assert.equal(new Set(cids).size, CAPABILITY_BUCKETS)
    assert.ok(!cids.includes(TESSERA_CAPABILITY_CID.toString()))
    const peer = peerIdFromPrivateKey(await seededKey('discovery/bucket/one'))
    assert.equal(capabilityBucketCid(peer).toString(), capabilityBucketCid(peer.toString()).toString())
    assert.equal(capabilityBucketCid(peer).toString(), cids[capabilityBucketOf(peer)])
  })

  it('spread peers evenly (every bucket within 5 standard errors of its share)', async () => {
    const n = 400
    const counts = new Array<number>(CAPABILITY_BUCKETS).fill(0)
    for (let i = 0; i < n; i++) {
      const b = capabilityBucketOf(peerIdFromPrivateKey(await seededKey(`discovery/spread/${i}`)))
      assert.ok(Number.isInteger(b) && b >= 0 && b < CAPABILITY_BUCKETS)
      counts[b]++
    }
    const p = 1 / CAPABILITY_BUCKETS
    const sd = Math.sqrt(n * p * (1 - p))
    for (const c of counts) assert.ok(Math.abs(c - n * p) <= 5 * sd, `bucket count ${c}, expected ${n * p} ± ${5 * sd}`)
  })
})

describe('readCapacityRecord', () => {
  it('stops asking once it holds a quorum of valid copies, skipping invalid ones, and returns the best of them', async () => {
    const key = await seededKey('discovery/read/owner')
    const other = await seededKey('discovery/read/forger')
    const peer = peerIdFromPrivateKey(key)
    const forged = await signedRecord(other, 999)
    // A forged copy first, then valid copies with sequences 5, 9, 7, 11, 12…: the quorum of 3 is 5, 9, 7.
    const sequences = [5, 9, 7, 11, 12, 13, 14]
    const responses = [forged, ...await Promise.all(sequences.map(async (s) => await signedRecord(key, s)))]
    let pulled = 0
    const dht = {
      async * get () {
        for (const value of responses) {
          pulled++
          yield { name: 'PEER_RESPONSE', record: { value } }
        }
      }
    } as unknown as KadDHT
    const validator = createCapacityRecordValidator({ now: () => NOW })
    const found = await readCapacityRecord(dht, validator, peer, AbortSignal.timeout(5_000))
    assert.ok(found != null)
    assert.equal(found.record.sequence, 9)
    assert.equal(RECORD_READ_QUORUM, 3)
    assert.equal(pulled, 1 + RECORD_READ_QUORUM)
    assert.equal((await openCapacityRecord(found.value)).peerId, peer.toString())
  })

  it('returns undefined when no copy is valid', async () => {
    const key = await seededKey('discovery/read/none')
    const forged = await signedRecord(await seededKey('discovery/read/none-forger'), 3)
    const dht = { async * get () { yield { name: 'PEER_RESPONSE', record: { value: forged } } } } as unknown as KadDHT
    const validator = createCapacityRecordValidator({ now: () => NOW })
    assert.equal(await readCapacityRecord(dht, validator, peerIdFromPrivateKey(key), AbortSignal.timeout(5_000)), undefined)
  })
})

/** A DHT whose providers of each CID are given; gets answer with the peer's own record. */
async function fakeDht (providersOf: Map<string, PeerId[]>, keys: Map<string, PrivateKey>): Promise<{ dht: KadDHT, asked: string[] }> {
  const asked: string[] = []
  const dht = {
    async * findProviders (cid: { toString: () => string }) {
      asked.push(cid.toString())
      // kad-dht stops at its limit.
      const providers = (providersOf.get(cid.toString()) ?? []).slice(0, DHT_FIND_PROVIDERS_LIMIT)
      yield { name: 'PROVIDER', providers: providers.map((id) => ({ id, multiaddrs: [] })) }
    },
    async * get (key: Uint8Array) {
      const peer = new TextDecoder().decode(key).split('/').pop() as string
      const k = keys.get(peer)
      if (k != null) yield { name: 'PEER_RESPONSE', record: { value: await signedRecord(k, 1) } }
    }
  } as unknown as KadDHT
  return { dht, asked }
}

async function network (n: number): Promise<{ providersOf: Map<string, PeerId[]>, keys: Map<string, PrivateKey> }> {
  const providersOf = new Map<string, PeerId[]>()
  const keys = new Map<string, PrivateKey>()
  for (let i = 0; i < n; i++) {
    const key = await seededKey(`discovery/network/${n}/${i}`)
    const id = peerIdFromPrivateKey(key)
    keys.set(id.toString(), key)
    // Nodes provide their level-1 bucket (and deeper ones when full; none here is): the root is no node's to provide.
    const cid = capabilityBucketCid(id).toString()
    providersOf.set(cid, [...(providersOf.get(cid) ?? []), id])
  }
  return { providersOf, keys }
}

describe('discoverCapacityRecords', () => {
  it('reads every provider of every level-1 bucket', async () => {
    const n = 3 * DHT_FIND_PROVIDERS_LIMIT
    const { providersOf, keys } = await network(n)
    const { dht, asked } = await fakeDht(providersOf, keys)
    const self = peerIdFromPrivateKey(await seededKey('discovery/self'))
    const found = await discoverCapacityRecords(dht, createCapacityRecordValidator({ now: () => NOW }), self, { timeoutMs: 5_000 })
    assert.deepEqual([...asked].sort(), CAPABILITY_BUCKET_CIDS.map((c) => c.toString()).sort())
    assert.deepEqual(found.map((f) => f.record.peerId), [...keys.keys()].sort((a, b) => a.localeCompare(b)))
  })

  it('does not read (or return) the peers the caller already holds', async () => {
    const { providersOf, keys } = await network(5)
    const { dht } = await fakeDht(providersOf, keys)
    const { counting, read } = countingReads(dht)
    const ids = [...keys.keys()].sort((a, b) => a.localeCompare(b))
    const skip = new Set(ids.slice(0, 2))
    const self = peerIdFromPrivateKey(await seededKey('discovery/self'))
    const found = await discoverCapacityRecords(counting, createCapacityRecordValidator({ now: () => NOW }), self, { timeoutMs: 5_000, skip })
    assert.deepEqual(found.map((f) => f.record.peerId), ids.slice(2))
    assert.deepEqual([...read].sort((a, b) => a.localeCompare(b)), ids.slice(2))
  })
})

describe('discoverPeersByWalk (node.discoverPeers)', () => {
  const self = async (): Promise<PeerId> => peerIdFromPrivateKey(await seededKey('discovery/walk/self'))
  const validator = createCapacityRecordValidator({ now: () => NOW })

  it('lists every peer of a network below its limit, asking each bucket once', async () => {
    const n = 3 * DHT_FIND_PROVIDERS_LIMIT
    const { providersOf, keys } = await network(n)
    const { dht, asked } = await fakeDht(providersOf, keys)
    const found = await discoverPeersByWalk(dht, validator, await self(), undefined, { timeoutMs: 5_000 })
    assert.deepEqual(found.map((f) => f.record.peerId), [...keys.keys()].sort())
    assert.equal(asked.length, new Set(asked).size, 'no bucket asked twice')
    assert.deepEqual([...asked].sort(), CAPABILITY_BUCKET_CIDS.map((c) => c.toString()).sort())
  })

  it('returns and reads at most its limit, and neither reads nor returns the peers skipped', async () => {
    const { providersOf, keys } = await network(3 * DHT_FIND_PROVIDERS_LIMIT)
    const { dht } = await fakeDht(providersOf, keys)
    const { counting, read } = countingReads(dht)
    const limited = await discoverPeersByWalk(counting, validator, await self(), undefined, { timeoutMs: 5_000, limit: 7 })
    assert.equal(limited.length, 7)
    assert.ok(read.length <= 7 + WALK_READ_CONCURRENCY, `${read.length} reads for 7 records`)
    read.length = 0
    const skip = new Set([...keys.keys()].slice(0, 10))
    const rest = await discoverPeersByWalk(counting, validator, await self(), undefined, { timeoutMs: 5_000, skip })
    assert.equal(rest.length, keys.size - 10)
    assert.ok(rest.every((f) => !skip.has(f.record.peerId)) && read.every((p) => !skip.has(p)))
  })
})
