/**
 * The DHT layer's integrity against an outsider: a stock js-libp2p client with its own keys PUTs records straight to
 * tessera nodes over the DHT protocol on 127.0.0.1.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { capacityRecordKey, openCapacityRecord, RecordNotNewerError } from '@tessera/memory'
import { createTesseraNode } from '../src/index.js'
import { FAST, signedRecordOf, stopAll, waitFor } from './helpers.js'
import { putThroughDht, startStockDhtClient } from './stock-dht-client.js'
import type { StockDhtClient } from './stock-dht-client.js'
import type { DhtStoreRefusal, TesseraNode } from '../src/index.js'
import type { PrivateKey } from '@libp2p/interface'
import type { CapacityRecord } from '@tessera/memory'

/** Slow refreshes: the node's own record must not move on by itself while a test looks at it. */
const SLOW = { ...FAST, recordTtlMs: 120_000, recordRefreshMs: 60_000 }

function refusalsOf (node: TesseraNode): DhtStoreRefusal[] {
  const refusals: DhtStoreRefusal[] = []
  node.addEventListener('dht:refused', (evt) => { refusals.push(evt.detail) })
  return refusals
}

async function stopClients (clients: Array<StockDhtClient | undefined>): Promise<void> {
  await Promise.allSettled(clients.map(async (c) => { await c?.stop() }))
}

/** A fresh record of the peer of `key`, signed with it. */
async function recordOf (key: PrivateKey, fields: Partial<CapacityRecord>): Promise<Uint8Array> {
  return await signedRecordOf(key, Date.now(), fields)
}

describe('rollback: an older valid record PUT straight to a node', () => {
  it('is refused with a reason, and the node keeps the newer record; a newer record of another peer is accepted', async (t) => {
    const privateKey = await generateKeyPair('Ed25519')
    const victim = await createTesseraNode({ ...SLOW, privateKey })
    const refusals = refusalsOf(victim)
    let client: StockDhtClient | undefined
    try {
      const before = await waitFor('the victim\'s own record', async () => await victim.readLocalCapacityRecord(victim.peerId))
      client = await startStockDhtClient(victim.getMultiaddrs()[0].toString())
      const key = capacityRecordKey(victim.peerId)
      // Valid, signed by the victim's key, not expired: the victim's record as it was a minute earlier.
      const older = await recordOf(privateKey, {
        sequence: before.record.sequence - 60_000,
        issuedAtMs: before.record.issuedAtMs - 60_000,
        expiresAtMs: before.record.issuedAtMs + 60_000,
        tilesTotal: before.record.tilesTotal,
        tilesFree: 0
      })
      await victim.validator(key, older) // the validator alone accepts it: the rule is what stops it

      const outcome = await putThroughDht(client, key, older)
      assert.equal(outcome.accepted, 0, 'the victim did not acknowledge the older record')
      assert.ok(outcome.rejected > 0, 'the victim answered the put with an error')
      const after = await victim.readLocalCapacityRecord(victim.peerId)
      assert.ok(after !== undefined)
      assert.equal(after.record.sequence, before.record.sequence)
      assert.equal(after.record.tilesFree, before.record.tilesFree)
      const refusal = refusals.find((r) => r.key === `/tessera/cap/${victim.peerId.toString()}`)
      assert.ok(refusal !== undefined, 'the refusal was reported')
      assert.ok(refusal.error instanceof RecordNotNewerError)
      assert.equal(refusal.sender, client.peerId.toString(), 'attributed to the client that sent it')
      assert.match(refusal.error.message, new RegExp(`sequence ${before.record.sequence - 60_000} .* stored sequence ${before.record.sequence}`))
      t.diagnostic(`stored sequence before the older PUT ${before.record.sequence} (tilesFree ${before.record.tilesFree}), ` +
        `PUT sequence ${before.record.sequence - 60_000} (tilesFree 0), stored after ${after.record.sequence} (tilesFree ${after.record.tilesFree})`)

      // Another peer's records relayed by the client: a newer one replaces, the same sequence again does not.
      const other = await generateKeyPair('Ed25519')
      const otherKey = capacityRecordKey(peerIdFromPrivateKey(other))
      const v1 = await recordOf(other, { sequence: 1_000 })
      const v2 = await recordOf(other, { sequence: 1_001 })
      const v2again = await recordOf(other, { sequence: 1_001, tilesFree: 1 })
      assert.ok((await putThroughDht(client, otherKey, v1)).accepted > 0)
      assert.ok((await putThroughDht(client, otherKey, v2)).accepted > 0)
      assert.equal((await putThroughDht(client, otherKey, v2again)).accepted, 0)
      assert.deepEqual((await victim.readLocalCapacityRecord(peerIdFromPrivateKey(other)))?.value, v2)
    } finally {
      await stopClients([client])
      await stopAll([victim])
    }
  })
})

describe('flooding: valid records from throw-away keys', () => {
  it('leave the store within its bounds per sender and in total, and the honest records readable', async (t) => {
    const limits = { maxRecords: 16, maxRecordsPerPeer: 8 }
    const victim = await createTesseraNode({ ...SLOW, dhtStore: limits })
    let honest: TesseraNode | undefined
    const clients: StockDhtClient[] = []
    try {
      // An honest node whose record the victim holds and sees renewed (FAST refreshes every second).
      honest = await createTesseraNode({ ...FAST, bootstrap: [victim.getMultiaddrs()[0].toString()] })
      const h = honest
      const first = await waitFor('the honest record at the victim', async () => await victim.readLocalCapacityRecord(h.peerId))
      await waitFor('the honest record renewed at the victim', async () => {
        const now = await victim.readLocalCapacityRecord(h.peerId)
        return now !== undefined && now.record.sequence > first.record.sequence ? now : undefined
      })
      await waitFor('the victim\'s own record', async () => await victim.readLocalCapacityRecord(victim.peerId))

      const target = victim.getMultiaddrs()[0].toString()
      for (let c = 0; c < 3; c++) clients.push(await startStockDhtClient(target))
      const floodKeys: PrivateKey[][] = []
      const held = async (keys: PrivateKey[]): Promise<number> =>
        (await Promise.all(keys.map(async (k) => await victim.readLocalCapacityRecord(peerIdFromPrivateKey(k))))).filter((r) => r !== undefined).length
      for (const client of clients) {
        const keys = await Promise.all(Array.from({ length: 12 }, async () => await generateKeyPair('Ed25519')))
        floodKeys.push(keys)
        for (const key of keys) await putThroughDht(client, capacityRecordKey(peerIdFromPrivateKey(key)), await recordOf(key, {}))
        if (floodKeys.length === 1) {
          // One sender alone: its own bound applies before the total one (12 puts, 8 kept).
          assert.equal(await held(keys), limits.maxRecordsPerPeer)
        }
      }
      const stats = victim.dhtStoreStats()
      assert.equal(stats.records, limits.maxRecords)
      const floodHeld = await held(floodKeys.flat())
      assert.equal(floodHeld, limits.maxRecords - 2, 'the flood fills what the own and the honest record leave')
      for (const keys of floodKeys) assert.ok(await held(keys) <= limits.maxRecordsPerPeer)
      const honestNow = await victim.readLocalCapacityRecord(h.peerId)
      assert.ok(honestNow !== undefined, 'the honest record is still held')
      assert.ok(await victim.readLocalCapacityRecord(victim.peerId) !== undefined, 'the own record is still held')
      // With the honest node gone, the victim is the one left to serve its record to a reader.
      const honestId = h.peerId
      await h.stop()
      let servedByVictim: Uint8Array | undefined
      for await (const event of clients[0].services.dht.get(capacityRecordKey(honestId), { signal: AbortSignal.timeout(10_000) })) {
        if (event.name === 'VALUE' && event.from.equals(victim.peerId)) servedByVictim = event.value
      }
      assert.ok(servedByVictim !== undefined, 'the victim serves the honest record over the DHT')
      assert.equal((await openCapacityRecord(servedByVictim)).peerId, honestId.toString())
      t.diagnostic(`36 flood records from 3 clients: store holds ${stats.records} records (${floodHeld} of the flood), evicted ${stats.evicted}`)
    } finally {
      await stopClients(clients)
      await stopAll([honest, victim])
    }
  })
})
