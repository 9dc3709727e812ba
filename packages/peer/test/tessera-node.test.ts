import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  capacityRecordKey, capacityRecordSignedBytes, encodeCapacityRecordBody, openCapacityRecord, signCapacityRecord
} from '@tessera/memory'
import { pb } from '@tessera/wire'
import { InvalidNodeOptionError, createTesseraNode, joinWaitBoundMs } from '../src/index.js'
import { FAST, startNodes, stopAll, waitFor, withTempDir } from './helpers.js'
import { putThroughDht, startStockDhtClient } from './stock-dht-client.js'
import type { NetworkMode, TesseraNode } from '../src/index.js'
import type { PresetName } from '@tessera/crossbar'
import type { CapacityRecord } from '@tessera/memory'

const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && [...a].sort().join() === [...b].sort().join()

describe('five nodes on 127.0.0.1', () => {
  let nodes: TesseraNode[] = []
  before(async () => { nodes = await startNodes(5) })
  after(async () => { await stopAll(nodes) })

  it('every node finds every other node\'s capacity record through discovery', async () => {
    for (const node of nodes) {
      const others = nodes.filter((n) => n !== node).map((n) => n.peerId.toString())
      const found = await waitFor(`discovery from ${node.peerId.toString()}`, async () => {
        const peers = await node.discoverPeers({ timeoutMs: 5_000 })
        const ids = peers.map((p) => p.record.peerId)
        return sameSet(ids, others) ? peers : undefined
      })
      for (const { record } of found) {
        assert.equal(record.device.preset, 'ideal')
        assert.equal(record.tilesTotal, FAST.tiles)
        assert.equal(record.reachability, 'public', 'a direct loopback address on a local network')
        assert.ok(record.addresses.length > 0)
      }
    }
  })

  it('records are refreshed: a later read shows a higher sequence and a later expiry', async () => {
    const [reader, target] = [nodes[1], nodes[2]]
    const first = await waitFor('a first record', async () => (await reader.getCapacityRecord(target.peerId))?.record)
    const later = await waitFor('a refreshed record', async () => {
      const r = (await reader.getCapacityRecord(target.peerId))?.record
      return r != null && r.sequence > first.sequence ? r : undefined
    })
    assert.ok(later.expiresAtMs > first.expiresAtMs)
    assert.equal(later.expiresAtMs - later.issuedAtMs, FAST.recordTtlMs)
  })

  it('forged, foreign and replayed expired records are rejected by every node; gets still return the genuine record', async () => {
    const victim = nodes[3]
    const key = capacityRecordKey(victim.peerId)
    // A genuine record of the victim, kept to be replayed after it expires.
    const captured = await waitFor('the victim\'s record', async () => await victim.readLocalCapacityRecord(victim.peerId))
    const attackerKey = await generateKeyPair('Ed25519')
    // A stock libp2p client: a tessera node's own DHT store would refuse the later puts under the same key itself.
    const attacker = await startStockDhtClient(nodes[0].getMultiaddrs()[0].toString())
    try {
      const now = Date.now()
      const forgedFields: CapacityRecord = { ...captured.record, tilesFree: 0, sequence: captured.record.sequence + 10_000_000, issuedAtMs: now, expiresAtMs: now + 60_000 }
      // 1. The victim's peer id, signed with another key (carrying that key, and carrying none).
      const body = encodeCapacityRecordBody(forgedFields)
      const signature = new Uint8Array(await attackerKey.sign(capacityRecordSignedBytes(body)))
      const withKey = pb.SignedCapacityRecord.encode({ body, publicKey: new Uint8Array(publicKeyToProtobuf(attackerKey.publicKey)), signature })
      const withoutKey = pb.SignedCapacityRecord.encode({ body, publicKey: new Uint8Array(), signature })
      // 2. A valid record of the attacker, stored under the victim's key.
      const foreign = await signCapacityRecord({ ...forgedFields, peerId: peerIdFromPrivateKey(attackerKey).toString() }, attackerKey)
      // 3. The victim's own genuine record, replayed once it has expired.
      await waitFor('the captured record to expire', () => Date.now() > captured.record.expiresAtMs + 50 ? true : undefined, FAST.recordTtlMs! + 5_000)
      const replay = captured.value

      for (const [name, value] of [['signed by another key', withKey], ['unsigned key', withoutKey], ['another peer\'s record', foreign], ['replayed expired', replay]] as const) {
        // Each node's DHT validator refuses it…
        for (const node of nodes) {
          await assert.rejects(node.validator(key, value), `${name}: rejected by ${node.peerId.toString()}`)
        }
        // …and so does the network when the attacker puts it.
        const { accepted, rejected } = await putThroughDht(attacker, key, value)
        assert.equal(accepted, 0, `${name}: no node accepted the put`)
        assert.ok(rejected > 0, `${name}: peers answered the put with errors`)
      }
      for (const node of nodes) {
        const local = await node.readLocalCapacityRecord(victim.peerId)
        if (local != null) {
          assert.equal(local.record.peerId, victim.peerId.toString())
          assert.deepEqual(await openCapacityRecord(local.value), local.record)
          assert.notEqual(local.record.tilesFree, 0)
        }
        const got = await node.getCapacityRecord(victim.peerId)
        assert.ok(got != null, 'a get still finds the victim\'s record')
        assert.equal(got.record.peerId, victim.peerId.toString())
        assert.equal(got.record.tilesFree, FAST.tiles)
        assert.ok(got.record.sequence > captured.record.sequence && got.record.sequence < forgedFields.sequence)
      }
    } finally {
      await attacker.stop()
    }
  })

  it('a node that stops is still served until its record expires, and drops out of discovery after', async () => {
    const leaving = nodes[4]
    const id = leaving.peerId.toString()
    const last = await waitFor('the leaving node\'s record', async () => (await nodes[0].getCapacityRecord(leaving.peerId))?.record)
    await leaving.stop()
    const remaining = nodes.slice(0, 4)
    const still = await remaining[1].getCapacityRecord(id)
    if (Date.now() < last.expiresAtMs) {
      assert.ok(still != null, 'an unexpired record is still served after its node stopped')
    }
    // A single discovery round can miss a live record (a query that times out under load), so absence before
    // expiry proves nothing; what must hold is that once the newest record has expired, no node serves it.
    const untilExpiryMs = last.expiresAtMs - Date.now()
    if (untilExpiryMs > 0) await new Promise((resolve) => setTimeout(resolve, untilExpiryMs + 1))
    await waitFor('the stopped node to drop out', async () => {
      for (const node of remaining) {
        const roundStartMs = Date.now()
        const found = await node.discoverPeers({ timeoutMs: 5_000 })
        // Each record is validated when read, which is after the round started.
        for (const peer of found) assert.ok(peer.record.expiresAtMs > roundStartMs, `discovery returned an expired record of ${peer.record.peerId}`)
        if (found.some((p) => p.record.peerId === id)) return undefined
      }
      return true
    }, FAST.recordTtlMs! + 15_000, 250)
  })
})

describe('a lone node', () => {
  it('serves its own record and provider entry to a client that joins through it', async () => {
    const lone = await createTesseraNode(FAST)
    let client: TesseraNode | undefined
    try {
      client = await createTesseraNode({ ...FAST, serve: false, bootstrap: [lone.getMultiaddrs()[0].toString()] })
      const c = client
      const found = await waitFor('the lone node\'s record', async () => {
        const peers = await c.discoverPeers({ timeoutMs: 3_000 })
        return peers.length > 0 ? peers : undefined
      })
      assert.deepEqual(found.map((p) => p.record.peerId), [lone.peerId.toString()])
    } finally {
      await stopAll([client, lone])
    }
  })
})

describe('the wait before the first publication', () => {
  it('is none for a node with no bootstrap address, the default bound for one that joins, and as configured', () => {
    assert.equal(joinWaitBoundMs({}), 0, 'the first node of a network has nothing to join')
    assert.equal(joinWaitBoundMs({ bootstrap: [] }), 0)
    assert.equal(joinWaitBoundMs({ bootstrap: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWEdmPw7pTiDsvRccBq3mYuYgdh19aQ8z4vDcdwK9NFWaR'] }), undefined)
    assert.equal(joinWaitBoundMs({ joinWaitMs: 3_000 }), 3_000)
    assert.equal(joinWaitBoundMs({ joinWaitMs: 0, bootstrap: ['/ip4/127.0.0.1/tcp/4001'] }), 0)
  })
})

describe('restart with the same data dir', () => {
  it('keeps the PeerId and the DHT records in the local datastore', async () => {
    await withTempDir(async (dir) => {
      const init = { ...FAST, recordTtlMs: 60_000, recordRefreshMs: 30_000 }
      const other = await createTesseraNode(init)
      let node: TesseraNode | undefined
      try {
        node = await createTesseraNode({ ...init, dataDir: dir, bootstrap: [other.getMultiaddrs()[0].toString()] })
        const id = node.peerId.toString()
        const n = node
        const own = await waitFor('the node\'s own record stored', async () => await n.readLocalCapacityRecord(n.peerId))
        const others = await waitFor('the other node\'s record stored here', async () => await n.readLocalCapacityRecord(other.peerId))
        await node.stop()
        // Client-only and unconnected: a serving node would publish a fresh record of its own at once, and only the
        // datastore can hold the records read back here.
        node = await createTesseraNode({ ...init, dataDir: dir, serve: false })
        assert.equal(node.peerId.toString(), id)
        assert.deepEqual((await node.readLocalCapacityRecord(id))?.value, own.value)
        assert.deepEqual((await node.readLocalCapacityRecord(other.peerId))?.value, others.value)
      } finally {
        await stopAll([node, other])
      }
    })
  })
})

describe('createTesseraNode options', () => {
  it('rejects bad options with InvalidNodeOptionError before starting anything', async () => {
    await assert.rejects(createTesseraNode({ tiles: 0 }), InvalidNodeOptionError)
    await assert.rejects(createTesseraNode({ device: 'nope' as PresetName }), InvalidNodeOptionError)
    await assert.rejects(createTesseraNode({ network: 'lan' as NetworkMode }), InvalidNodeOptionError)
    await assert.rejects(createTesseraNode({ ...FAST, recordTtlMs: 1000, recordRefreshMs: 1000 }), InvalidNodeOptionError)
    // Longer than validators accept: every publication would be rejected and the node never discoverable.
    await assert.rejects(createTesseraNode({ ...FAST, recordTtlMs: 3_600_000 }), /\[1, 600000\] ms/)
    await assert.rejects(createTesseraNode({ ...FAST, tiles: 1_000_000_000 }), /tiles must be in \[1, 10922\]/)
    await assert.rejects(createTesseraNode({ ...FAST, dhtStore: { maxRecords: 0 } }), InvalidNodeOptionError)
    // A timer cannot wait longer than 2³¹ − 1 ms (it would fire at once); BigInt() of a fraction throws deep in the relay.
    await assert.rejects(createTesseraNode({ ...FAST, dhtTimeoutMs: 2 ** 31 }), /\(0, 2147483647\] ms/)
    await assert.rejects(createTesseraNode({ ...FAST, relayServer: true, relayLimits: { dataLimitBytes: 1.5 } }), InvalidNodeOptionError)
    await assert.rejects(createTesseraNode({ ...FAST, joinWaitMs: -1 }), /joinWaitMs must be in \[0, 2147483647\] ms/)
  })
})
