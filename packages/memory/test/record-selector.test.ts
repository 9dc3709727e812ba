import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { signCapacityRecord } from '../src/capacity-record.js'
import { capacityRecordKey } from '../src/record-key.js'
import { capacityRecordSelector } from '../src/record-selector.js'
import { keyFromSeed, NOW_MS, recordFor } from './capacity-record-fixtures.js'

describe('capacityRecordSelector', async () => {
  const key = await keyFromSeed(1)
  const k = capacityRecordKey(peerIdFromPrivateKey(key))
  const signed = async (sequence: number, issuedAtMs = NOW_MS): Promise<Uint8Array> =>
    signCapacityRecord(recordFor(key, { sequence, issuedAtMs }), key)

  it('keeps the highest sequence number wherever it sits (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 6 }), async (sequences) => {
      const values = await Promise.all(sequences.map(async (s) => signed(s)))
      const best = capacityRecordSelector(k, values)
      assert.equal(sequences[best], Math.max(...sequences))
    }), { seed: 14, numRuns: 50 })
  })

  it('breaks a sequence tie by the later issue time, then by the first', async () => {
    const early = await signed(5, NOW_MS - 10)
    const late = await signed(5, NOW_MS)
    assert.equal(capacityRecordSelector(k, [early, late]), 1)
    assert.equal(capacityRecordSelector(k, [late, early]), 0)
    assert.equal(capacityRecordSelector(k, [late, late]), 0)
  })

  it('skips records that do not decode', async () => {
    const good = await signed(3)
    assert.equal(capacityRecordSelector(k, [Uint8Array.from([0xff, 0xff]), good, new Uint8Array(0)]), 1)
    assert.equal(capacityRecordSelector(k, [Uint8Array.from([1, 2, 3])]), 0)
  })
})
