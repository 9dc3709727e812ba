import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { capacityRecordKey, createCapacityRecordValidator, openCapacityRecord } from '@tessera/memory'
import {
  DhtAnswerMalformedError, createTesseraNode, dhtDiscoverySource, directRecordPutter, directRecordReader, encodeGetValue, encodePutValue,
  recordField
} from '../src/index.js'
import { FAST, signedRecordOf, stopAll, waitFor } from './helpers.js'
import type { TesseraNode } from '../src/index.js'
import type { KadDHT } from '@libp2p/kad-dht'

/** Protobuf field `field` of wire type 2 (bytes). */
function bytesField (field: number, bytes: Uint8Array): number[] {
  return [(field << 3) | 2, bytes.byteLength, ...bytes]
}

describe('the kad-dht message of a direct read', () => {
  it('asks GET_VALUE for the key, as kad-dht encodes it', () => {
    assert.deepEqual([...encodeGetValue(new Uint8Array([7, 8, 9]))], [0x08, 0x01, 0x12, 0x03, 7, 8, 9])
  })

  it('takes the record field from an answer and skips the fields around it', () => {
    const record = new Uint8Array([1, 2, 3, 4])
    // type (varint), key, a fixed64 and a fixed32 field, the record, then a closer peer.
    const message = new Uint8Array([0x08, 0x01, ...bytesField(2, new Uint8Array([9])), 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x0d, 0, 0, 0, 0, ...bytesField(3, record), ...bytesField(8, new Uint8Array([5, 5]))])
    assert.deepEqual(recordField(message), record)
    assert.equal(recordField(new Uint8Array([0x08, 0x01, ...bytesField(8, new Uint8Array([5]))])), undefined, 'an answer with closer peers only')
  })

  it('puts a record with PUT_VALUE: the record field reads back whole, after the key', () => {
    const record = new Uint8Array(300).map((_, i) => i % 251)
    const message = encodePutValue(new Uint8Array([1, 2]), record)
    assert.deepEqual([...message.subarray(0, 6)], [0x08, 0x00, 0x12, 0x02, 1, 2])
    assert.deepEqual(recordField(message), record)
  })

  it('refuses a field that runs past the end and an unknown wire type', () => {
    assert.throws(() => recordField(new Uint8Array([(3 << 3) | 2, 10, 1, 2])), DhtAnswerMalformedError)
    assert.throws(() => recordField(new Uint8Array([(3 << 3) | 3])), DhtAnswerMalformedError)
    assert.throws(() => recordField(new Uint8Array([0x08, 0x80])), DhtAnswerMalformedError, 'a truncated varint')
  })
})

// Real nodes on 127.0.0.1, started fast and stopped after every test of the file.
const nodes: TesseraNode[] = []
after(async () => { await stopAll(nodes) })

/** A node started with the fast test settings plus `options`, stopped after the file's tests. */
async function started (options: Parameters<typeof createTesseraNode>[0] = {}): Promise<TesseraNode> {
  const node = await createTesseraNode({ ...FAST, ...options })
  nodes.push(node)
  return node
}

describe('directRecordReader', () => {
  it('reads a peer\'s record from the peer itself, and nothing from a peer that has none', async () => {
    // A DHT server for the server's publication to reach, then the server and a client-only reader.
    const peer = await started({ serve: false, dhtClientMode: false })
    const server = await started({ tiles: 2, bootstrap: [peer.getMultiaddrs()[0].toString()] })
    const published = await waitFor('the server\'s first publication', () => server.lastPublished())
    const client = await started({ serve: false, bootstrap: [server.getMultiaddrs()[0].toString()] })
    const read = directRecordReader(client.libp2p, client.validator)
    const found = await read(server.peerId, AbortSignal.timeout(10_000))
    assert.equal(found?.record.peerId, server.peerId.toString())
    assert.ok(found !== undefined && found.record.sequence >= published.record.sequence)
    // A DHT server that publishes no record (a client-only node that serves the DHT) answers without one.
    await client.libp2p.dial(peer.getMultiaddrs()[0])
    assert.equal(await read(peer.peerId, AbortSignal.timeout(10_000)), undefined)
  })
})

describe('directRecordPutter', () => {
  it('stores a node\'s record on the peer it names, acknowledged, and a record the peer\'s validator refuses nowhere', async () => {
    const holder = await started({ serve: false, dhtClientMode: false })
    const client = await started({ serve: false, bootstrap: [holder.getMultiaddrs()[0].toString()] })
    const key = await generateKeyPair('Ed25519')
    const owner = peerIdFromPrivateKey(key)
    const now = Date.now()
    const value = await signedRecordOf(key, now, { sequence: now })
    const put = directRecordPutter(client.libp2p)
    assert.equal(await put(holder.peerId, capacityRecordKey(owner), value, AbortSignal.timeout(10_000)), true)
    assert.equal((await holder.readLocalCapacityRecord(owner))?.record.sequence, now)
    // Under another peer's key: signed by the wrong peer, the holder's validator refuses it and nothing is stored.
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    await assert.rejects(put(holder.peerId, capacityRecordKey(other), value, AbortSignal.timeout(10_000)))
    assert.equal(await holder.readLocalCapacityRecord(other), undefined)
  })
})

describe('dhtDiscoverySource with direct reads', () => {
  it('reads through the DHT when the direct read fails, and does not when it finds a valid record', async () => {
    const key = await generateKeyPair('Ed25519')
    const peer = peerIdFromPrivateKey(key)
    const now = 1_800_000_000_000
    const value = await signedRecordOf(key, now, { sequence: 3 })
    const validator = createCapacityRecordValidator({ now: () => now })
    let dhtReads = 0
    const dht = {
      async * get () {
        dhtReads++
        yield { name: 'VALUE', value, from: peer }
      }
    } as unknown as KadDHT
    let directFails = true
    const source = dhtDiscoverySource(dht, validator, async () => {
      if (directFails) throw new Error('no direct route')
      return { record: await openCapacityRecord(value), value }
    })
    assert.equal((await source.read(peer.toString(), AbortSignal.timeout(1_000)))?.record.sequence, 3)
    assert.equal(dhtReads, 1)
    directFails = false
    assert.equal((await source.read(peer.toString(), AbortSignal.timeout(1_000)))?.record.sequence, 3)
    assert.equal(dhtReads, 1, 'found directly: no DHT read')
  })
})
