import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_BATCH, MAX_TENSOR_SIZE_BYTES } from '../src/constants.js'
import { BatchTooLargeError, MalformedMessageError } from '../src/errors.js'
import { checkBatch, checkShardId, maxBatchFor } from '../src/validate.js'

describe('batch limits', () => {
  it('maxBatchFor keeps input and output inside one tensor payload and under MAX_BATCH', () => {
    for (const [rows, cols] of [[1, 1], [256, 256], [512, 64], [64, 4096], [4096, 4096]]) {
      const batch = maxBatchFor(rows, cols)
      assert.ok(batch <= MAX_BATCH)
      assert.ok(batch * Math.max(rows, cols) * 4 <= MAX_TENSOR_SIZE_BYTES)
      assert.ok(batch === MAX_BATCH || (batch + 1) * Math.max(rows, cols) * 4 > MAX_TENSOR_SIZE_BYTES)
      assert.equal(checkBatch(batch, rows, cols), batch)
      assert.throws(() => checkBatch(batch + 1, rows, cols), BatchTooLargeError)
    }
  })

  it('rejects zero, negative and fractional batches as malformed', () => {
    for (const batch of [0, -1, 1.5, Number.NaN]) assert.throws(() => checkBatch(batch, 1), MalformedMessageError)
  })
})

describe('shard ids', () => {
  it('counts UTF-8 bytes, not UTF-16 units', () => {
    assert.equal(checkShardId('é'.repeat(128)), 'é'.repeat(128))
    assert.throws(() => checkShardId('é'.repeat(129)), MalformedMessageError)
    assert.throws(() => checkShardId('x'.repeat(257)), MalformedMessageError)
  })

  it('rejects lone surrogates, which UTF-8 encoding would silently replace', () => {
    assert.throws(() => checkShardId('a\ud800b'), MalformedMessageError)
    assert.equal(checkShardId('😀'), '😀')
  })
})
