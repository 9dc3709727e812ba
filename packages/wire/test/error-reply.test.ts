import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_ERROR_MESSAGE_LENGTH } from '../src/constants.js'
import * as errors from '../src/errors.js'
import { ERROR_CODES, ErrorCode, InternalError, UnknownShardError, WireError } from '../src/errors.js'
import { errorFromReply, toErrorReply, wireErrorFromCode } from '../src/error-reply.js'
import { decodeShardReply, encodeShardReply } from '../src/shard-messages.js'

const errorClasses = Object.values(errors).filter((value): value is typeof WireError =>
  typeof value === 'function' && value.prototype instanceof WireError)

describe('error replies', () => {
  it('every named error class has its own code and survives a trip over the wire as the same class', () => {
    const codes = new Set<ErrorCode>()
    for (const ErrorClass of errorClasses) {
      const err = new (ErrorClass as unknown as new (message?: string) => WireError)('detail')
      assert.equal(err.code, ErrorClass.code, ErrorClass.name)
      assert.notEqual(err.code, ErrorCode.UNSPECIFIED)
      assert.equal(err.name, ErrorClass.name)
      codes.add(err.code)
      const reply = decodeShardReply(encodeShardReply(toErrorReply(err, { requestId: 3, shardId: 's' })))
      assert.ok(reply.type === 'error')
      assert.equal(reply.requestId, 3)
      assert.equal(reply.shardId, 's')
      const back = errorFromReply(reply)
      assert.equal(back.constructor, ErrorClass)
      assert.equal(back.message, 'detail')
    }
    assert.equal(codes.size, errorClasses.length)
    // Every code but UNSPECIFIED has a class.
    assert.equal(codes.size, ERROR_CODES.length - 1)
  })

  it('hides the message of an unknown failure behind INTERNAL', () => {
    const reply = toErrorReply(new Error('secret path /home/x'))
    assert.equal(reply.code, ErrorCode.INTERNAL)
    assert.doesNotMatch(reply.message, /secret/)
    assert.equal(toErrorReply('a string').code, ErrorCode.INTERNAL)
  })

  it('maps errors of other layers by name', () => {
    class CapacityExceededError extends Error { override name = 'CapacityExceededError' }
    class TimeoutError extends Error { override name = 'TimeoutError' }
    class LimitedConnectionError extends Error { override name = 'LimitedConnectionError' }
    assert.equal(toErrorReply(new CapacityExceededError('no tile')).code, ErrorCode.INSUFFICIENT_CAPACITY)
    assert.equal(toErrorReply(new TimeoutError('t')).code, ErrorCode.TIMEOUT)
    assert.equal(toErrorReply(new LimitedConnectionError('l')).code, ErrorCode.LIMITED_CONNECTION)
  })

  it('truncates long messages so the reply stays small', () => {
    const reply = toErrorReply(new UnknownShardError('x'.repeat(MAX_ERROR_MESSAGE_LENGTH * 3)))
    assert.equal(reply.message.length, MAX_ERROR_MESSAGE_LENGTH)
    assert.doesNotThrow(() => encodeShardReply(reply))
  })

  it('falls back to the default message and to INTERNAL for UNSPECIFIED', () => {
    assert.equal(wireErrorFromCode(ErrorCode.UNKNOWN_SHARD).message, new UnknownShardError().message)
    assert.ok(wireErrorFromCode(ErrorCode.UNSPECIFIED) instanceof InternalError)
    assert.equal(toErrorReply(new WireError('x')).code, ErrorCode.INTERNAL)
  })
})
