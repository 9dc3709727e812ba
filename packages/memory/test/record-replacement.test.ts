import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { signCapacityRecord } from '../src/capacity-record.js'
import { InauthenticRecordError, RecordNotNewerError } from '../src/errors.js'
import { checkCapacityRecordReplacement } from '../src/record-replacement.js'
import { capacityRecordSelector } from '../src/record-selector.js'
import { keyFromSeed, NOW_MS, recordFor } from './capacity-record-fixtures.js'

describe('checkCapacityRecordReplacement', async () => {
  const key = await keyFromSeed(21)
  const other = await keyFromSeed(22)
  const signed = async (sequence: number, overrides = {}): Promise<Uint8Array> =>
    await signCapacityRecord(recordFor(key, { sequence, ...overrides }), key)

  it('replaces a live record only with a higher sequence, and agrees with the selector when it does (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.nat({ max: 1_000_000 }), fc.nat({ max: 1_000_000 }), async (storedSeq, incomingSeq) => {
      const stored = await signed(storedSeq)
      const incoming = await signed(incomingSeq, { tilesFree: 0 })
      if (incomingSeq > storedSeq) {
        assert.equal(checkCapacityRecordReplacement(stored, incoming, NOW_MS), 'replace')
        assert.equal(capacityRecordSelector(new Uint8Array(), [stored, incoming]), 1)
      } else {
        assert.throws(() => checkCapacityRecordReplacement(stored, incoming, NOW_MS), RecordNotNewerError)
      }
    }), { seed: 18, numRuns: 40 })
  })

  it('refuses an older record with the two sequences in the reason', async () => {
    const newer = await signed(1_000)
    const older = await signed(940, { tilesFree: 0 })
    assert.throws(() => checkCapacityRecordReplacement(newer, older, NOW_MS), (err: unknown) =>
      err instanceof RecordNotNewerError && err.code === 'ERR_RECORD_NOT_NEWER' && /sequence 940 .* stored sequence 1000/.test(err.message))
  })

  it('refuses a different record under the same sequence, even one issued later', async () => {
    const first = await signed(50, { issuedAtMs: NOW_MS - 1000 })
    const second = await signed(50, { issuedAtMs: NOW_MS - 10, tilesFree: 3 })
    assert.throws(() => checkCapacityRecordReplacement(first, second, NOW_MS), RecordNotNewerError)
  })

  it('leaves the same bytes unchanged', async () => {
    const value = await signed(9)
    assert.equal(checkCapacityRecordReplacement(value, Uint8Array.from(value), NOW_MS), 'unchanged')
  })

  it('lets any valid record replace one that has expired or no longer decodes', async () => {
    const expired = await signed(1_000, { issuedAtMs: NOW_MS - 200_000, expiresAtMs: NOW_MS - 1 })
    const older = await signed(10)
    assert.equal(checkCapacityRecordReplacement(expired, older, NOW_MS), 'replace')
    assert.equal(checkCapacityRecordReplacement(Uint8Array.from([0xff, 0x01]), older, NOW_MS), 'replace')
  })

  it('refuses a record of another peer', async () => {
    const mine = await signed(5)
    const theirs = await signCapacityRecord(recordFor(other, { sequence: 6 }), other)
    assert.throws(() => checkCapacityRecordReplacement(mine, theirs, NOW_MS), InauthenticRecordError)
  })
})
