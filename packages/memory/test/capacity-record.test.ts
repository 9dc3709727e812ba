import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pb } from '@tessera/wire'
import fc from 'fast-check'
import {
  capacityRecordSignedBytes, checkCapacityRecord, decodeCapacityRecordBody, decodeCapacityRecordEnvelope,
  encodeCapacityRecordBody, openCapacityRecord, signCapacityRecord
} from '../src/capacity-record.js'
import type { CapacityRecord } from '../src/capacity-record.js'
import { MAX_CAPACITY_RECORD_SIZE_BYTES, RECORD_FIELD_LIMITS } from '../src/constants.js'
import { InauthenticRecordError, MalformedRecordError } from '../src/errors.js'
import { failsWith, isRecordRejection, keyFromSeed, recordFor } from './capacity-record-fixtures.js'

describe('capacity record body', () => {
  it('round-trips every field', async () => {
    const record = recordFor(await keyFromSeed(1), { reachability: 'private', natKind: 'symmetric', sequence: 2 ** 40 })
    assert.deepEqual(decodeCapacityRecordBody(encodeCapacityRecordBody(record)), record)
  })

  it('a leaving record round-trips; a record that is not leaving encodes to the bytes of one from before the field', async () => {
    const key = await keyFromSeed(1)
    const leaving = recordFor(key, { leaving: true })
    assert.deepEqual(decodeCapacityRecordBody(encodeCapacityRecordBody(leaving)), leaving)
    const staying = recordFor(key, {})
    const body = encodeCapacityRecordBody({ ...staying, leaving: false })
    assert.deepEqual(body, encodeCapacityRecordBody(staying))
    // Field 13 absent: a reader that predates it decodes the same body, and this one reads no `leaving`.
    assert.equal(pb.CapacityRecordBody.decode(body).leaving, false)
    assert.equal('leaving' in decodeCapacityRecordBody(body), false)
    assert.ok(encodeCapacityRecordBody(leaving).byteLength === body.byteLength + 2, 'a leaving record adds only its tag and value')
    assert.throws(() => checkCapacityRecord({ ...staying, leaving: 'yes' as never }), MalformedRecordError)
  })

  it('round-trips every reachability and NAT kind', async () => {
    const key = await keyFromSeed(1)
    for (const reachability of ['public', 'private', 'unknown'] as const) {
      for (const natKind of ['none', 'cone', 'symmetric', 'unknown'] as const) {
        const record = recordFor(key, { reachability, natKind })
        assert.deepEqual(decodeCapacityRecordBody(encodeCapacityRecordBody(record)), record)
      }
    }
  })

  it('rejects invalid fields with MalformedRecordError', async () => {
    const key = await keyFromSeed(1)
    const bad: Array<Partial<Parameters<typeof recordFor>[1]>> = [
      { tilesFree: 65 },
      { tilesTotal: -1 },
      { throughputGflopPerSecond: Number.NaN },
      { queueDepth: 0.5 },
      { reachability: 'relayed' as never },
      { natKind: 'full-cone' as never },
      { addresses: Array.from({ length: RECORD_FIELD_LIMITS.addresses + 1 }, (_, i) => `/ip4/127.0.0.1/tcp/${i}`) },
      { addresses: [''] },
      { addresses: ['/dns4/\udc00'] },
      { sequence: 2 ** 60 },
      { expiresAtMs: 1, issuedAtMs: 2 },
      { peerId: 'not-a-peer-id' },
      { device: { preset: '', geometry: { rows: 1, cols: 1 }, noiseLevel: 0 } },
      { device: { preset: 'pcm', geometry: { rows: 0, cols: 1 }, noiseLevel: 0 } },
      { device: { preset: 'pcm', geometry: { rows: 1, cols: 1 }, noiseLevel: -0.1 } }
    ]
    for (const overrides of bad) {
      assert.throws(() => checkCapacityRecord(recordFor(key, overrides)), MalformedRecordError, JSON.stringify(overrides).slice(0, 80))
    }
  })

  it('accepts only the canonical peer id string', async () => {
    const key = await keyFromSeed(1)
    const cidForm = peerIdFromPrivateKey(key).toCID().toString()
    assert.throws(() => checkCapacityRecord(recordFor(key, { peerId: cidForm })), MalformedRecordError)
  })
})

describe('signCapacityRecord / openCapacityRecord', () => {
  it('signs and opens a record', async () => {
    const key = await keyFromSeed(1)
    const record = recordFor(key)
    const opened = await openCapacityRecord(await signCapacityRecord(record, key))
    assert.deepEqual(opened, record)
  })

  it('signs the domain-separated body with the node key', async () => {
    const key = await keyFromSeed(1)
    const envelope = decodeCapacityRecordEnvelope(await signCapacityRecord(recordFor(key), key))
    // Ed25519 peer ids embed the key, so the envelope leaves it out.
    assert.equal(envelope.publicKey.byteLength, 0)
    assert.equal(await key.publicKey.verify(capacityRecordSignedBytes(envelope.body), envelope.signature), true)
    assert.equal(await key.publicKey.verify(envelope.body, envelope.signature), false)
  })

  it('refuses to sign a record for another peer', async () => {
    const key = await keyFromSeed(1)
    const other = await keyFromSeed(2)
    await assert.rejects(signCapacityRecord(recordFor(other), key), failsWith(InauthenticRecordError, /cannot be signed by/))
  })

  it('opens exactly what was signed, for arbitrary valid records (property)', async () => {
    const key = await keyFromSeed(3)
    const peerId = peerIdFromPrivateKey(key).toString()
    const u32 = fc.nat({ max: 0xffffffff })
    const record = fc.record({
      preset: fc.string({ minLength: 1, maxLength: 20 }),
      rows: fc.integer({ min: 1, max: 0xffffffff }),
      cols: fc.integer({ min: 1, max: 0xffffffff }),
      noiseLevel: fc.double({ min: 0, max: 10, noNaN: true }),
      tiles: fc.tuple(u32, u32).map(([a, b]) => [Math.max(a, b), Math.min(a, b)]),
      throughputGflopPerSecond: fc.double({ min: 0, max: 1e6, noNaN: true }),
      queueDepth: u32,
      reachability: fc.constantFrom('public' as const, 'private' as const, 'unknown' as const),
      natKind: fc.constantFrom('none' as const, 'cone' as const, 'symmetric' as const, 'unknown' as const),
      addresses: fc.array(fc.string({ minLength: 1, maxLength: 60 }), { maxLength: 8 }),
      sequence: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      times: fc.tuple(fc.nat({ max: 2 ** 45 }), fc.nat({ max: 2 ** 20 }))
    }).map((r): CapacityRecord => ({
      peerId,
      device: { preset: r.preset, geometry: { rows: r.rows, cols: r.cols }, noiseLevel: r.noiseLevel },
      tilesTotal: r.tiles[0],
      tilesFree: r.tiles[1],
      throughputGflopPerSecond: r.throughputGflopPerSecond,
      queueDepth: r.queueDepth,
      reachability: r.reachability,
      natKind: r.natKind,
      addresses: r.addresses,
      sequence: r.sequence,
      issuedAtMs: r.times[0],
      expiresAtMs: r.times[0] + r.times[1]
    }))
    await fc.assert(fc.asyncProperty(record, async (r) => {
      assert.deepEqual(await openCapacityRecord(await signCapacityRecord(r, key)), r)
    }), { seed: 17, numRuns: 300 })
  })

  it('rejects a tampered body', async () => {
    const key = await keyFromSeed(1)
    const envelope = decodeCapacityRecordEnvelope(await signCapacityRecord(recordFor(key), key))
    const forged = encodeCapacityRecordBody(recordFor(key, { tilesFree: 64 }))
    const bytes = pb.SignedCapacityRecord.encode({ body: forged, publicKey: new Uint8Array(0), signature: new Uint8Array(envelope.signature) })
    await assert.rejects(openCapacityRecord(bytes), failsWith(InauthenticRecordError, /does not verify/))
  })

  it('rejects a record signed with another key, whether or not it carries that key', async () => {
    const key = await keyFromSeed(1)
    const attacker = await keyFromSeed(2)
    const body = encodeCapacityRecordBody(recordFor(key))
    const signature = new Uint8Array(await attacker.sign(capacityRecordSignedBytes(body)))
    const bare = pb.SignedCapacityRecord.encode({ body, publicKey: new Uint8Array(0), signature })
    await assert.rejects(openCapacityRecord(bare), failsWith(InauthenticRecordError, /does not verify/))
    const withKey = pb.SignedCapacityRecord.encode({ body, publicKey: new Uint8Array(publicKeyToProtobuf(attacker.publicKey)), signature })
    await assert.rejects(openCapacityRecord(withKey), failsWith(InauthenticRecordError, /carries the key of/))
  })

  it('carries and checks the public key of a peer id that does not embed it (RSA)', async () => {
    const key = await generateKeyPair('RSA', 1024)
    const record = { ...recordFor(await keyFromSeed(1)), peerId: peerIdFromPrivateKey(key).toString() }
    const bytes = await signCapacityRecord(record, key)
    assert.ok(decodeCapacityRecordEnvelope(bytes).publicKey.byteLength > 0)
    assert.deepEqual(await openCapacityRecord(bytes), record)
    const stripped = pb.SignedCapacityRecord.encode({ ...pb.SignedCapacityRecord.decode(bytes), publicKey: new Uint8Array(0) })
    await assert.rejects(openCapacityRecord(stripped), MalformedRecordError)
  })

  it('rejects oversized and undecodable envelopes', async () => {
    await assert.rejects(openCapacityRecord(new Uint8Array(MAX_CAPACITY_RECORD_SIZE_BYTES + 1)), failsWith(MalformedRecordError, /exceeds/))
    await assert.rejects(openCapacityRecord(Uint8Array.from([0x0a, 0x05, 0x01])), failsWith(MalformedRecordError, /does not decode/))
  })

  it('random bytes always give a named record error (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
      try {
        await openCapacityRecord(bytes)
        return false
      } catch (err) {
        return isRecordRejection(err)
      }
    }), { seed: 11, numRuns: 2000 })
  })
})
