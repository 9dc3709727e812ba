import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { PeerStoreCache } from '../src/peer-store-cache.js'
import type { AbortOptions } from '@libp2p/interface'

/** A memory datastore that counts the reads and writes that reach it. */
class CountingDatastore extends MemoryDatastore {
  gets = 0
  puts = 0

  override async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    this.gets++
    return await super.get(key, options)
  }

  override async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    this.puts++
    return await super.put(key, value, options)
  }
}

const peer = (n: number): Key => new Key(`/peers/bafz${n}`)
const bytes = (n: number): Uint8Array => Uint8Array.of(n)
/** No timer flush within a test: each one flushes when it means to. */
const NO_TIMER = { flushIntervalMs: 3_600_000 }

describe('the peer store cache', () => {
  it('answers repeated reads and rewrites of a peer entry from memory and writes only the last value on flush', async () => {
    const inner = new CountingDatastore()
    await inner.put(peer(1), bytes(0))
    inner.puts = 0
    const cache = new PeerStoreCache(inner, NO_TIMER)
    for (let i = 1; i <= 100; i++) {
      assert.deepEqual(await cache.get(peer(1)), bytes(i - 1))
      await cache.put(peer(1), bytes(i))
    }
    assert.equal(inner.gets, 1)
    assert.equal(inner.puts, 0)
    await cache.flush()
    assert.equal(inner.puts, 1)
    assert.deepEqual(await inner.get(peer(1)), bytes(100))
    await cache.flush()
    assert.equal(inner.puts, 1, 'an unchanged entry is not written again')
    await cache.close()
  })

  it('passes every other key straight through', async () => {
    const inner = new CountingDatastore()
    const cache = new PeerStoreCache(inner, NO_TIMER)
    await cache.put(new Key('/dht/record/x'), bytes(7))
    assert.equal(inner.puts, 1)
    assert.deepEqual(await cache.get(new Key('/dht/record/x')), bytes(7))
    assert.equal(inner.gets, 1)
    await assert.rejects(cache.get(peer(9)), { name: 'NotFoundError' })
    await cache.close()
  })

  it('does not bring back an entry deleted before the flush, and a query sees the unwritten entries', async () => {
    const inner = new CountingDatastore()
    const cache = new PeerStoreCache(inner, NO_TIMER)
    await cache.put(peer(1), bytes(1))
    await cache.put(peer(2), bytes(2))
    await cache.delete(peer(1))
    const listed = []
    for await (const { key, value } of cache.query({ prefix: '/peers/' })) listed.push([key.toString(), value[0]])
    assert.deepEqual(listed, [[peer(2).toString(), 2]])
    assert.equal(await inner.has(peer(1)), false)
    assert.equal(await cache.has(peer(1)), false)
    await cache.close()
  })

  it('keeps at most maxEntries in memory, never dropping an unwritten one, and reads a dropped one back', async () => {
    const inner = new CountingDatastore()
    const cache = new PeerStoreCache(inner, { ...NO_TIMER, maxEntries: 2 })
    for (let i = 1; i <= 4; i++) await cache.put(peer(i), bytes(i))
    assert.equal(cache.entriesHeld(), 4, 'unwritten entries stay however many there are')
    await cache.flush()
    await cache.put(peer(5), bytes(5))
    assert.equal(cache.entriesHeld(), 2)
    assert.deepEqual(await cache.get(peer(1)), bytes(1))
    assert.equal(inner.gets, 1)
    await cache.close()
    assert.deepEqual(await inner.get(peer(5)), bytes(5), 'close writes what is left')
  })
})
