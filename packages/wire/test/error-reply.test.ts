import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_ERROR_MESSAGE_LENGTH } from '../src/constants.js'
import { InvalidPlanError } from '@tessera/crossbar'
import { TesseraError } from '@tessera/errors'
import { BusyError, ERROR_CODES, ErrorCode, InternalError, MalformedMessageError, QUOTA_RESOURCES, QuotaExceededError, isTransientRefusal, ShapeMismatchError, UnknownShardError, WireError, isProtocolError } from '../src/errors.js'
import * as pb from '../src/pb/shard.js'
import { errorFromReply, toErrorReply, wireErrorFromCode } from '../src/error-reply.js'
import { decodeShardReply, encodeShardReply } from '../src/shard-messages.js'

describe('error replies', () => {
  it('every code but UNSPECIFIED has its own class, which survives a trip over the wire', () => {
    const classes = new Set<unknown>()
    for (const code of ERROR_CODES.filter((c) => c !== ErrorCode.UNSPECIFIED)) {
      const err = wireErrorFromCode(code, 'detail')
      assert.equal(err.code, code)
      assert.equal((err.constructor as { code?: string }).code, code, err.name)
      assert.equal(err.name, err.constructor.name)
      assert.ok(isProtocolError(err), err.name)
      classes.add(err.constructor)
      const reply = decodeShardReply(encodeShardReply(toErrorReply(err, { requestId: 3, shardId: 's' })))
      assert.ok(reply.type === 'error')
      assert.equal(reply.code, code)
      assert.equal(reply.requestId, 3)
      assert.equal(reply.shardId, 's')
      const back = errorFromReply(reply)
      assert.equal(back.constructor, err.constructor)
      assert.equal(back.message, 'detail')
      assert.equal(back.requestId, 3)
    }
    assert.equal(classes.size, ERROR_CODES.length - 1)
  })

  it('counts the crossbar errors with protocol codes as protocol errors, and nothing else', () => {
    assert.ok(isProtocolError(new ShapeMismatchError('x')))
    assert.ok(!(new ShapeMismatchError('x') instanceof WireError))
    assert.equal(toErrorReply(new ShapeMismatchError('3 values for 2×2')).code, ErrorCode.SHAPE_MISMATCH)
    assert.ok(!isProtocolError(new InvalidPlanError('x')))
    assert.ok(!isProtocolError(new TesseraError('x')))
    assert.ok(!isProtocolError(new Error('x')))
    // Subclasses keep the ordinary test: a shape error is no UnknownShardError.
    assert.ok(!(new ShapeMismatchError('x') instanceof UnknownShardError))
    assert.ok(!(new InternalError('x') instanceof UnknownShardError))
  })

  it('hides the message of an unknown failure behind INTERNAL', () => {
    const reply = toErrorReply(new Error('secret path /home/x'))
    assert.equal(reply.code, ErrorCode.INTERNAL)
    assert.doesNotMatch(reply.message, /secret/)
    assert.equal(toErrorReply('a string').code, ErrorCode.INTERNAL)
  })

  it('maps libp2p errors by name', () => {
    class TimeoutError extends Error { override name = 'TimeoutError' }
    class LimitedConnectionError extends Error { override name = 'LimitedConnectionError' }
    assert.equal(toErrorReply(new TimeoutError('t')).code, ErrorCode.TIMEOUT)
    assert.equal(toErrorReply(new LimitedConnectionError('l')).code, ErrorCode.LIMITED_CONNECTION)
  })

  it('truncates long messages so the reply stays small', () => {
    const reply = toErrorReply(new UnknownShardError('x'.repeat(MAX_ERROR_MESSAGE_LENGTH * 3)))
    assert.equal(reply.message.length, MAX_ERROR_MESSAGE_LENGTH)
    assert.doesNotThrow(() => encodeShardReply(reply))
  })

  it('names the code when a reply has no message, and falls back to INTERNAL for UNSPECIFIED', () => {
    const err = errorFromReply({ code: ErrorCode.UNKNOWN_SHARD, message: '' })
    assert.ok(err instanceof UnknownShardError)
    assert.match(err.message, /UNKNOWN_SHARD/)
    assert.ok(wireErrorFromCode(ErrorCode.UNSPECIFIED) instanceof InternalError)
    assert.equal(toErrorReply(new WireError('x')).code, ErrorCode.INTERNAL)
  })
})

describe('quota refusals', () => {
  it('carry the resource, the limit and the amount asked for across the wire', () => {
    const err = new QuotaExceededError('8 of 16 tiles held, 12 more asked', { quota: { resource: 'tiles', limit: 16, requested: 20 } })
    const reply = decodeShardReply(encodeShardReply(toErrorReply(err, { shardId: 'run/fc1' })))
    assert.ok(reply.type === 'error')
    assert.equal(reply.code, ErrorCode.QUOTA_EXCEEDED)
    assert.deepEqual(reply.quota, { resource: 'tiles', limit: 16, requested: 20 })
    const back = errorFromReply(reply)
    assert.ok(back instanceof QuotaExceededError)
    assert.deepEqual(back.quota, { resource: 'tiles', limit: 16, requested: 20 })
    assert.equal(back.shardId, 'run/fc1')
  })

  it('keeps the numbers of the codes that existed before QUOTA_EXCEEDED was appended', () => {
    // Older peers decode these numbers: renumbering any would change what every existing reply means.
    const numbers = { FRAME_TOO_LARGE: 1, UNKNOWN_SHARD: 3, BUSY: 9, DUPLICATE_SHARD: 16, DEVICE_MISMATCH: 18, QUOTA_EXCEEDED: 19 }
    for (const [code, number] of Object.entries(numbers)) {
      const bytes = pb.ShardResponse.encode({ error: { code: code as ErrorCode, message: 'm' } })
      // error = field 6 (length-delimited), then code = field 1 varint: tag 0x08 followed by the number.
      assert.equal(bytes[2], 0x08)
      assert.equal(bytes[3], number, code)
    }
  })

  it('rejects a quota detail with a negative or non-finite amount', () => {
    for (const limit of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const frame = pb.ShardResponse.encode({ error: { code: ErrorCode.QUOTA_EXCEEDED, message: 'm', quota: { resource: 'tiles', limit, requested: 1 } } })
      assert.throws(() => decodeShardReply(frame), MalformedMessageError)
    }
  })
})

describe('transient refusals', () => {
  it('are BUSY and quotas of requests in progress, not tile quotas or other errors', () => {
    const quota = (resource: string): QuotaExceededError => new QuotaExceededError('q', { quota: { resource, limit: 1, requested: 2 } })
    assert.ok(isTransientRefusal(new BusyError('b')))
    for (const r of [QUOTA_RESOURCES.streams, QUOTA_RESOURCES.executesInFlight, QUOTA_RESOURCES.pendingUploads]) assert.ok(isTransientRefusal(quota(r)), r)
    assert.ok(!isTransientRefusal(quota(QUOTA_RESOURCES.tiles)))
    assert.ok(!isTransientRefusal(new QuotaExceededError('no detail')))
    assert.ok(!isTransientRefusal(new UnknownShardError('u')))
  })
})
