import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pb } from '@tessera/wire'
import fc from 'fast-check'
import { CLOCK_SKEW_TOLERANCE_MS, MAX_CAPACITY_RECORD_LIFETIME_MS } from '../src/constants.js'
import { InauthenticRecordError, MalformedRecordError, RecordExpiryError } from '../src/errors.js'
import { capacityRecordSignedBytes, signCapacityRecord } from '../src/capacity-record.js'
import { capacityRecordKey } from '../src/record-key.js'
import { checkCapacityRecordFreshness, createCapacityRecordValidator, verifyCapacityRecord } from '../src/record-validator.js'
import { failsWith, isRecordRejection, keyFromSeed, NOW_MS, recordFor, rejectsAsRecord } from './capacity-record-fixtures.js'

const validator = createCapacityRecordValidator({ now: () => NOW_MS })

describe('createCapacityRecordValidator', () => {
  it('accepts a fresh record under its own key', async () => {
    const key = await keyFromSeed(1)
    await validator(capacityRecordKey(peerIdFromPrivateKey(key)), await signCapacityRecord(recordFor(key), key))
  })

  it('rejects another peer\'s record stored under this peer\'s key', async () => {
    const key = await keyFromSeed(1)
    const other = await keyFromSeed(2)
    const value = await signCapacityRecord(recordFor(other), other)
    await assert.rejects(validator(capacityRecordKey(peerIdFromPrivateKey(key)), value), failsWith(InauthenticRecordError, /stored under the key of/))
  })

  it('rejects a tampered value', async () => {
    const key = await keyFromSeed(1)
    const value = await signCapacityRecord(recordFor(key), key)
    // The last byte belongs to the signature: flipping it keeps the envelope decodable.
    value[value.byteLength - 1] ^= 0x01
    await assert.rejects(validator(capacityRecordKey(peerIdFromPrivateKey(key)), value), failsWith(InauthenticRecordError, /does not verify/))
  })

  it('rejects an expired record, and accepts it up to its expiry instant', async () => {
    const key = await keyFromSeed(1)
    const value = await signCapacityRecord(recordFor(key, { issuedAtMs: NOW_MS - 200_000, expiresAtMs: NOW_MS - 1 }), key)
    const k = capacityRecordKey(peerIdFromPrivateKey(key))
    await assert.rejects(validator(k, value), failsWith(RecordExpiryError, /expired at/))
    await createCapacityRecordValidator({ now: () => NOW_MS - 1 })(k, value)
  })

  it('rejects an expiry beyond the lifetime cap plus skew, and accepts one at the cap', async () => {
    const key = await keyFromSeed(1)
    const k = capacityRecordKey(peerIdFromPrivateKey(key))
    const limit = NOW_MS + MAX_CAPACITY_RECORD_LIFETIME_MS + CLOCK_SKEW_TOLERANCE_MS
    await validator(k, await signCapacityRecord(recordFor(key, { expiresAtMs: limit }), key))
    const eternal = await signCapacityRecord(recordFor(key, { expiresAtMs: limit + 1 }), key)
    await assert.rejects(validator(k, eternal), failsWith(RecordExpiryError, /more than/))
  })

  it('uses the injected clock: a replayed record dies once the clock passes its expiry', async () => {
    const key = await keyFromSeed(1)
    const k = capacityRecordKey(peerIdFromPrivateKey(key))
    const value = await signCapacityRecord(recordFor(key), key)
    let now = NOW_MS
    const v = createCapacityRecordValidator({ now: () => now })
    await v(k, value)
    now = recordFor(key).expiresAtMs + 1
    await assert.rejects(v(k, value), failsWith(RecordExpiryError, /expired at/))
  })

  it('rejects keys outside /tessera/cap/<peerId>', async () => {
    const key = await keyFromSeed(1)
    const value = await signCapacityRecord(recordFor(key), key)
    const id = peerIdFromPrivateKey(key).toString()
    for (const text of [`/tessera/other/${id}`, '/tessera/cap/', '/tessera/cap/not-a-peer', `/tessera/cap/${id}/x`]) {
      await assert.rejects(validator(new TextEncoder().encode(text), value), MalformedRecordError, text)
    }
    await assert.rejects(validator(Uint8Array.from([0xff, 0xfe]), value), MalformedRecordError)
  })

  it('random values under a valid key always give a named record error (property)', async () => {
    const k = capacityRecordKey(peerIdFromPrivateKey(await keyFromSeed(1)))
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => await rejectsAsRecord(validator(k, bytes))), { seed: 12, numRuns: 2000 })
  })

  it('properly signed bodies with arbitrary field values are accepted or rejected with a named error (property)', async () => {
    const key = await keyFromSeed(1)
    const peerId = peerIdFromPrivateKey(key).toString()
    const k = capacityRecordKey(peerIdFromPrivateKey(key))
    const u32 = fc.nat({ max: 0xffffffff })
    const body = fc.record({
      peerId: fc.oneof(fc.constant(peerId), fc.string({ maxLength: 60 })),
      device: fc.option(fc.record({ preset: fc.string({ maxLength: 80 }), rows: u32, cols: u32, noiseLevel: fc.double() }), { nil: undefined }),
      tilesTotal: u32,
      tilesFree: u32,
      throughputGflopPerSecond: fc.double(),
      queueDepth: u32,
      reachability: fc.constantFrom(...Object.values(pb.Reachability).filter((v) => typeof v === 'string')),
      natKind: fc.constantFrom(...Object.values(pb.NatKind).filter((v) => typeof v === 'string')),
      addresses: fc.array(fc.string({ maxLength: 40 }), { maxLength: 40 }),
      sequence: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      issuedAtMs: fc.integer({ min: NOW_MS - 1_000_000, max: NOW_MS + 1_000_000 }),
      expiresAtMs: fc.integer({ min: NOW_MS - 1_000_000, max: NOW_MS + 1_000_000 })
    })
    let accepted = 0
    await fc.assert(fc.asyncProperty(body, async (fields) => {
      const bytes = pb.CapacityRecordBody.encode(fields as pb.CapacityRecordBody)
      const signature = new Uint8Array(await key.sign(capacityRecordSignedBytes(bytes)))
      try {
        await validator(k, pb.SignedCapacityRecord.encode({ body: bytes, publicKey: new Uint8Array(0), signature }))
        accepted++
        return true
      } catch (err) {
        return isRecordRejection(err)
      }
    }), { seed: 15, numRuns: 1000 })
    assert.ok(accepted < 1000)
  })

  it('random keys with a valid value are rejected with a named record error unless they are the key (property)', async () => {
    const key = await keyFromSeed(1)
    const value = await signCapacityRecord(recordFor(key), key)
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 80 }), async (bytes) => await rejectsAsRecord(validator(bytes, value))), { seed: 13, numRuns: 1000 })
  })
})

describe('verifyCapacityRecord', () => {
  it('returns the record a valid value holds, and rejects as the validator does', async () => {
    const key = await keyFromSeed(1)
    const k = capacityRecordKey(peerIdFromPrivateKey(key))
    const value = await signCapacityRecord(recordFor(key), key)
    assert.deepEqual(await verifyCapacityRecord(k, value, NOW_MS), recordFor(key))
    await assert.rejects(verifyCapacityRecord(k, value, recordFor(key).expiresAtMs + 1), failsWith(RecordExpiryError, /expired at/))
  })
})

describe('checkCapacityRecordFreshness', () => {
  it('honours a custom lifetime cap', async () => {
    const record = recordFor(await keyFromSeed(1), { expiresAtMs: NOW_MS + 60_000 })
    assert.doesNotThrow(() => checkCapacityRecordFreshness(record, NOW_MS))
    assert.throws(() => checkCapacityRecordFreshness(record, NOW_MS, { maxLifetimeMs: 30_000, clockSkewToleranceMs: 0 }), failsWith(RecordExpiryError, /more than/))
  })
})
