import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Uint8ArrayList } from 'uint8arraylist'
import {
  MAX_BATCH, MAX_CHUNKS, MAX_ERROR_MESSAGE_LENGTH, MAX_FRAME_SIZE_BYTES, MAX_KEEP_ALIVE_SHARDS, MAX_NOISE_KEY_TEXT_LENGTH_BYTES, MAX_PEER_ID_TEXT_LENGTH_BYTES,
  MAX_TENSOR_SIZE_BYTES
} from '../src/constants.js'
import {
  BatchTooLargeError, ERROR_CODES, ErrorCode, FrameTooLargeError, MalformedMessageError, NonFiniteValueError,
  ShapeMismatchError, TooManyChunksError, isProtocolError
} from '../src/errors.js'
import { errorFromReply, toErrorReply } from '../src/error-reply.js'
import { float32ToBytes } from '../src/float32.js'
import * as pb from '../src/pb/shard.js'
import { decodeShardReply, decodeShardRequest, encodeShardReply, encodeShardRequest } from '../src/shard-messages.js'
import type { ShardReply, ShardRequest } from '../src/shard-messages.js'

const HASH = new Uint8Array(32).fill(7)

const requests: ShardRequest[] = [
  { type: 'program-begin', shardId: 'job/fc1/0/0', rows: 3, cols: 5, seed: 42, totalChunks: 2, chunkSizeBytes: 32, contentSha256: HASH },
  { type: 'program-begin', shardId: 'b', rows: 1, cols: 1, seed: 'seed/tile/3', devicePreset: 'pcm', tSeconds: 3600, totalChunks: 1, chunkSizeBytes: 4, contentSha256: HASH },
  { type: 'program-begin', shardId: 'zero-seed', rows: 2, cols: 2, seed: 0, totalChunks: 1, chunkSizeBytes: 16, contentSha256: HASH },
  { type: 'program-chunk', index: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
  { type: 'program-commit', shardId: 'job/fc1/0/0' },
  { type: 'execute', requestId: 9, shardId: 's', batch: 2, rows: 3, input: new Float32Array([1, -2, 3.5, 0, 1e-30, -7]) },
  { type: 'execute', requestId: 0, shardId: 's', batch: 1, rows: 1, input: new Float32Array([1]), tSeconds: 86400, driftCompensation: false },
  { type: 'execute', requestId: 4, shardId: 's', batch: 1, rows: 1, input: new Float32Array([2]), noiseKey: 'job/3/batch/17/fc1/0' },
  { type: 'execute', requestId: 5, shardId: 's', batch: 1, rows: 1, input: new Float32Array([2]), noiseKey: 0 },
  { type: 'execute', requestId: 6, shardId: 's', batch: 1, rows: 1, input: new Float32Array([2]), noiseKey: '' },
  { type: 'release', shardId: 'ü-ß' },
  { type: 'status' },
  { type: 'keep-alive', shardIds: ['run/fc1/0', 'run/fc2/1'] },
  { type: 'keep-alive', shardIds: [] },
  { type: 'hand-over', shardId: 'run/fc1/0', newOwner: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo' }
]

const replies: ShardReply[] = [
  { type: 'program-ready', shardId: 's', tilesReserved: 4 },
  { type: 'program-committed', shardId: 's', tilesUsed: 4, contentSha256: HASH },
  { type: 'execute-result', requestId: 5, shardId: 's', batch: 2, cols: 2, output: new Float32Array([1, 2, 3, 4]), deviceTimeNs: 120.5, energyPj: 3.25, macs: 24 },
  { type: 'released', shardId: 's', tilesFreed: 4 },
  { type: 'status', tilesTotal: 16, tilesFree: 3, shardsHeld: 2, queueDepth: 1, inFlight: 1, devicePreset: 'rram-4bit', tileRows: 256, tileCols: 256 },
  { type: 'kept-alive', shardIds: ['run/fc1/0'], leaseMs: 300_000 },
  { type: 'handed-over', shardId: 'run/fc1/0', newOwner: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo', leaseMs: 300_000 },
  { type: 'error', code: ErrorCode.UNKNOWN_SHARD, message: 'no shard x', requestId: 5, shardId: 'x' },
  { type: 'error', code: ErrorCode.BUSY, message: '' }
]

function isTypedError (err: unknown): boolean {
  return isProtocolError(err) && ERROR_CODES.includes(err.code)
}

/** Whether `decode` takes `bytes` to a message or to a typed wire error (a property's verdict). */
function decodesOrFailsTyped (decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): boolean {
  try {
    decode(bytes)
  } catch (err) {
    return isTypedError(err)
  }
  return true
}

/** Registers the decoder's garbage properties: random bytes, and random byte edits of valid frames. */
function itSurvivesGarbage (decode: (bytes: Uint8Array) => unknown, validFrames: () => Uint8Array[], seeds: { bytes: number, edits: number }): void {
  it('random bytes never crash the decoder (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrFailsTyped(decode, bytes)), { seed: seeds.bytes, numRuns: 5000 })
  })

  it('random mutations of valid frames never crash the decoder (property)', () => {
    const frames = validFrames()
    fc.assert(fc.property(fc.integer({ min: 0, max: frames.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (which, edits) => {
      const frame = new Uint8Array(frames[which])
      for (const [at, value] of edits) frame[at % frame.byteLength] = value
      return decodesOrFailsTyped(decode, frame)
    }), { seed: seeds.edits, numRuns: 5000 })
  })
}

describe('shard requests', () => {
  for (const request of requests) {
    it(`round-trips ${request.type} ${JSON.stringify(request).slice(0, 60)}`, () => {
      assert.deepEqual(decodeShardRequest(encodeShardRequest(request)), request)
    })
  }

  it('round-trips arbitrary valid requests exactly (property)', () => {
    const shardId = fc.string({ minLength: 1, maxLength: 80 })
    const u32 = fc.nat({ max: 0xffffffff })
    const tSeconds = fc.option(fc.double({ min: Number.MIN_VALUE, max: 1e12, noNaN: true }), { nil: undefined })
    const begin = fc.record({
      shardId,
      rows: fc.integer({ min: 1, max: 4096 }),
      cols: fc.integer({ min: 1, max: 4096 }),
      seed: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 80 })),
      // 64 KiB chunks or larger keep a 4096×4096 block within MAX_CHUNKS.
      chunkFloats: fc.integer({ min: 16_384, max: 262_144 }),
      tSeconds,
      devicePreset: fc.option(fc.constantFrom('ideal', 'pcm', 'rram-4bit', 'rram-hifi'), { nil: undefined }),
      contentSha256: fc.uint8Array({ minLength: 32, maxLength: 32 })
    }).map(({ chunkFloats, tSeconds, devicePreset, ...b }): ShardRequest => {
      const chunkSizeBytes = chunkFloats * 4
      const r: ShardRequest = { type: 'program-begin', ...b, chunkSizeBytes, totalChunks: Math.ceil(b.rows * b.cols * 4 / chunkSizeBytes) }
      if (tSeconds !== undefined) r.tSeconds = tSeconds
      if (devicePreset !== undefined) r.devicePreset = devicePreset
      return r
    })
    const execute = fc.record({
      requestId: u32,
      shardId,
      batch: fc.integer({ min: 1, max: 16 }),
      rows: fc.integer({ min: 1, max: 16 }),
      tSeconds,
      driftCompensation: fc.option(fc.boolean(), { nil: undefined }),
      noiseKey: fc.option(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 80 })), { nil: undefined })
    }).chain(({ batch, rows, tSeconds, driftCompensation, noiseKey, ...e }) =>
      fc.float32Array({ minLength: batch * rows, maxLength: batch * rows, noNaN: true, noDefaultInfinity: true }).map((input): ShardRequest => {
        const r: ShardRequest = { type: 'execute', ...e, batch, rows, input }
        if (tSeconds !== undefined) r.tSeconds = tSeconds
        if (driftCompensation !== undefined) r.driftCompensation = driftCompensation
        if (noiseKey !== undefined) r.noiseKey = noiseKey
        return r
      }))
    const chunk = fc.record({ index: u32, floats: fc.integer({ min: 1, max: 64 }) })
      .chain(({ index, floats }) => fc.uint8Array({ minLength: floats * 4, maxLength: floats * 4 }).map((data): ShardRequest => ({ type: 'program-chunk', index, data })))
    fc.assert(fc.property(fc.oneof(begin, execute, chunk), (request) => {
      assert.deepEqual(decodeShardRequest(encodeShardRequest(request)), request)
    }), { seed: 16, numRuns: 1000 })
  })

  it('decodes a frame held in a Uint8ArrayList (what lpStream.read returns) split at any point', () => {
    const request = requests[5]
    const frame = encodeShardRequest(request)
    for (let cut = 0; cut <= frame.byteLength; cut++) {
      assert.deepEqual(decodeShardRequest(new Uint8ArrayList(frame.subarray(0, cut), frame.subarray(cut))), request)
    }
  })

  it('turns deeply nested unknown groups into a malformed-message error, not a crash', () => {
    // Tag 0x7b = field 15, wire type 3 (start group), repeated until the frame limit.
    const frame = new Uint8Array(MAX_FRAME_SIZE_BYTES).fill(0x7b)
    assert.throws(() => decodeShardRequest(frame), MalformedMessageError)
  })

  it('rejects a keep-alive naming more than MAX_KEEP_ALIVE_SHARDS ids, or an empty id', () => {
    const tooMany = Array.from({ length: MAX_KEEP_ALIVE_SHARDS + 1 }, (_, i) => `s${i}`)
    assert.throws(() => encodeShardRequest({ type: 'keep-alive', shardIds: tooMany }), MalformedMessageError)
    assert.throws(() => decodeShardRequest(pb.ShardRequest.encode({ keepAlive: { shardIds: tooMany } })), MalformedMessageError)
    assert.throws(() => decodeShardRequest(pb.ShardRequest.encode({ keepAlive: { shardIds: ['ok', ''] } })), MalformedMessageError)
  })

  it('rejects a hand-over to an empty or over-long new owner', () => {
    const long = 'x'.repeat(MAX_PEER_ID_TEXT_LENGTH_BYTES + 1)
    for (const newOwner of ['', long]) {
      assert.throws(() => encodeShardRequest({ type: 'hand-over', shardId: 's', newOwner }), MalformedMessageError)
      assert.throws(() => decodeShardRequest(pb.ShardRequest.encode({ handOver: { shardId: 's', newOwner } })), MalformedMessageError)
    }
    assert.throws(() => decodeShardRequest(pb.ShardRequest.encode({ handOver: { shardId: '', newOwner: 'p' } })), MalformedMessageError)
    assert.throws(() => decodeShardReply(pb.ShardResponse.encode({ handedOver: { shardId: 's', newOwner: long, leaseMs: 1 } })), MalformedMessageError)
  })

  it('rejects frames over MAX_FRAME_SIZE_BYTES before decoding', () => {
    assert.throws(() => decodeShardRequest(new Uint8Array(MAX_FRAME_SIZE_BYTES + 1)), FrameTooLargeError)
  })

  it('rejects an empty frame (no body) as malformed', () => {
    assert.throws(() => decodeShardRequest(new Uint8Array(0)), MalformedMessageError)
  })

  it('rejects input bytes that disagree with batch × rows', () => {
    const frame = pb.ShardRequest.encode({ execute: { requestId: 1, shardId: 's', batch: 2, rows: 3, input: float32ToBytes(new Float32Array(5)) } })
    assert.throws(() => decodeShardRequest(frame), ShapeMismatchError)
  })

  it('tags a failed execute with its request and shard ids so the error reply can be matched', () => {
    const frame = pb.ShardRequest.encode({ execute: { requestId: 77, shardId: 'layer/3', batch: 2, rows: 3, input: new Uint8Array(4) } })
    assert.throws(() => decodeShardRequest(frame), (err: unknown) => {
      assert.ok(err instanceof ShapeMismatchError && isProtocolError(err))
      assert.equal(err.requestId, 77)
      assert.equal(err.shardId, 'layer/3')
      const reply = toErrorReply(err)
      assert.equal(reply.requestId, 77)
      assert.equal(reply.shardId, 'layer/3')
      const back = errorFromReply(reply)
      assert.ok(back instanceof ShapeMismatchError)
      assert.equal(back.requestId, 77)
      return true
    })
    const badId = pb.ShardRequest.encode({ execute: { requestId: 78, shardId: '', batch: 1, rows: 1, input: new Uint8Array(4) } })
    assert.throws(() => decodeShardRequest(badId), (err: unknown) => err instanceof MalformedMessageError && err.requestId === 78 && err.shardId === undefined)
  })

  it('rejects batches over MAX_BATCH and over the tensor size', () => {
    const over = pb.ShardRequest.encode({ execute: { requestId: 1, shardId: 's', batch: MAX_BATCH + 1, rows: 1, input: new Uint8Array(0) } })
    assert.throws(() => decodeShardRequest(over), BatchTooLargeError)
    const rows = 4096
    const batch = MAX_TENSOR_SIZE_BYTES / (rows * 4) + 1
    const big = pb.ShardRequest.encode({ execute: { requestId: 1, shardId: 's', batch, rows, input: new Uint8Array(0) } })
    assert.throws(() => decodeShardRequest(big), BatchTooLargeError)
  })

  it('rejects NaN and infinite inputs', () => {
    const frame = pb.ShardRequest.encode({ execute: { requestId: 1, shardId: 's', batch: 1, rows: 2, input: float32ToBytes(new Float32Array([1, Number.NaN])) } })
    assert.throws(() => decodeShardRequest(frame), NonFiniteValueError)
    assert.throws(() => encodeShardRequest({ type: 'execute', requestId: 1, shardId: 's', batch: 1, rows: 1, input: new Float32Array([Infinity]) }), NonFiniteValueError)
  })

  it('rejects a zero dimension and an empty shard id', () => {
    const zeroRows = pb.ShardRequest.encode({ execute: { requestId: 1, shardId: 's', batch: 1, rows: 0, input: new Uint8Array(0) } })
    assert.throws(() => decodeShardRequest(zeroRows), ShapeMismatchError)
    assert.throws(() => decodeShardRequest(pb.ShardRequest.encode({ release: { shardId: '' } })), MalformedMessageError)
  })

  it('rejects a program-begin whose chunk count does not match the shape', () => {
    const base = { type: 'program-begin' as const, shardId: 's', rows: 4, cols: 4, seed: 1, chunkSizeBytes: 16, contentSha256: HASH }
    assert.doesNotThrow(() => encodeShardRequest({ ...base, totalChunks: 4 }))
    assert.throws(() => encodeShardRequest({ ...base, totalChunks: 5 }), ShapeMismatchError)
    assert.throws(() => encodeShardRequest({ ...base, totalChunks: MAX_CHUNKS + 1 }), TooManyChunksError)
    // 4096×4096 float32 in 4-byte chunks would need 16M chunks.
    assert.throws(() => encodeShardRequest({ ...base, rows: 4096, cols: 4096, chunkSizeBytes: 4, totalChunks: 4096 * 4096 }), TooManyChunksError)
    assert.throws(() => encodeShardRequest({ ...base, chunkSizeBytes: 6, totalChunks: 11 }), MalformedMessageError)
    assert.throws(() => encodeShardRequest({ ...base, totalChunks: 4, contentSha256: new Uint8Array(31) }), MalformedMessageError)
    assert.throws(() => encodeShardRequest({ ...base, totalChunks: 4, tSeconds: 0 }), MalformedMessageError)
    assert.throws(() => encodeShardRequest({ ...base, totalChunks: 4, seed: Number.NaN }), MalformedMessageError)
  })

  it('rejects a program-begin without a seed', () => {
    const frame = pb.ShardRequest.encode({ programBegin: { shardId: 's', rows: 1, cols: 1, devicePreset: '', totalChunks: 1, chunkSizeBytes: 4, contentSha256: HASH } })
    assert.throws(() => decodeShardRequest(frame), MalformedMessageError)
  })

  it('rejects chunks that are empty or not whole float32 values', () => {
    assert.throws(() => decodeShardRequest(pb.ShardRequest.encode({ programChunk: { index: 0, data: new Uint8Array(0) } })), ShapeMismatchError)
    assert.throws(() => decodeShardRequest(pb.ShardRequest.encode({ programChunk: { index: 0, data: new Uint8Array(6) } })), ShapeMismatchError)
  })

  it('reads an execute without a noise key as one without (older coordinators), and rejects bad keys both ways', () => {
    const plain = pb.ShardRequest.encode({ execute: { requestId: 1, shardId: 's', batch: 1, rows: 1, input: float32ToBytes(new Float32Array([1])) } })
    assert.equal('noiseKey' in decodeShardRequest(plain), false)
    const base = { type: 'execute' as const, requestId: 1, shardId: 's', batch: 1, rows: 1, input: new Float32Array([1]) }
    assert.throws(() => encodeShardRequest({ ...base, noiseKey: Number.POSITIVE_INFINITY }), MalformedMessageError)
    assert.throws(() => encodeShardRequest({ ...base, noiseKey: 'k'.repeat(MAX_NOISE_KEY_TEXT_LENGTH_BYTES + 1) }), MalformedMessageError)
    assert.deepEqual(decodeShardRequest(encodeShardRequest({ ...base, noiseKey: 'k'.repeat(MAX_NOISE_KEY_TEXT_LENGTH_BYTES) })).type, 'execute')
    const nan = pb.ShardRequest.encode({ execute: { requestId: 1, shardId: 's', batch: 1, rows: 1, input: float32ToBytes(new Float32Array([1])), noiseKeyNumber: Number.NaN } })
    assert.throws(() => decodeShardRequest(nan), (err: unknown) => err instanceof MalformedMessageError && err.requestId === 1)
    const long = pb.ShardRequest.encode({ execute: { requestId: 2, shardId: 's', batch: 1, rows: 1, input: float32ToBytes(new Float32Array([1])), noiseKeyText: 'é'.repeat(MAX_NOISE_KEY_TEXT_LENGTH_BYTES) } })
    assert.throws(() => decodeShardRequest(long), MalformedMessageError)
  })

  it('rejects out-of-range integers on encode instead of writing garbage varints', () => {
    assert.throws(() => encodeShardRequest({ type: 'program-chunk', index: -1, data: new Uint8Array(4) }), MalformedMessageError)
    assert.throws(() => encodeShardRequest({ type: 'execute', requestId: 1.5, shardId: 's', batch: 1, rows: 1, input: new Float32Array(1) }), MalformedMessageError)
  })

  it('every truncation of a valid frame decodes or throws a typed error', () => {
    for (const request of requests) {
      const frame = encodeShardRequest(request)
      for (let end = 0; end < frame.byteLength; end++) {
        try {
          decodeShardRequest(frame.subarray(0, end))
        } catch (err) {
          assert.ok(isTypedError(err), `${request.type} cut at ${end}: ${String(err)}`)
        }
      }
    }
  })

  itSurvivesGarbage(decodeShardRequest, () => requests.map((r) => encodeShardRequest(r)), { bytes: 3, edits: 4 })

  it('structurally valid messages with arbitrary field values decode or throw a typed error (property)', () => {
    const text = fc.string({ maxLength: 300 })
    const u32 = fc.nat({ max: 0xffffffff })
    const bytes = fc.uint8Array({ maxLength: 64 })
    const message = fc.oneof(
      fc.record({ programBegin: fc.record({ shardId: text, rows: u32, cols: u32, devicePreset: text, seedNumber: fc.double(), tSeconds: fc.option(fc.double(), { nil: undefined }), totalChunks: u32, chunkSizeBytes: u32, contentSha256: bytes }) }),
      fc.record({ programChunk: fc.record({ index: u32, data: bytes }) }),
      fc.record({ execute: fc.record({ requestId: u32, shardId: text, batch: fc.nat({ max: 2000 }), rows: fc.nat({ max: 5000 }), input: bytes, tSeconds: fc.option(fc.double(), { nil: undefined }), driftCompensation: fc.option(fc.boolean(), { nil: undefined }), noiseKeyNumber: fc.option(fc.double(), { nil: undefined }), noiseKeyText: fc.option(text, { nil: undefined }) }) }),
      fc.record({ release: fc.record({ shardId: text }) })
    )
    fc.assert(fc.property(message, (m) => decodesOrFailsTyped(decodeShardRequest, pb.ShardRequest.encode(m as pb.ShardRequest))), { seed: 5, numRuns: 3000 })
  })
})

describe('shard replies', () => {
  for (const reply of replies) {
    it(`round-trips ${reply.type}`, () => {
      assert.deepEqual(decodeShardReply(encodeShardReply(reply)), reply)
    })
  }

  it('rejects an output that disagrees with batch × cols', () => {
    const frame = pb.ShardResponse.encode({ executeResult: { requestId: 1, shardId: 's', batch: 2, cols: 2, output: new Uint8Array(12), deviceTimeNs: 0, energyPj: 0, macs: 0 } })
    assert.throws(() => decodeShardReply(frame), ShapeMismatchError)
  })

  it('rejects a non-finite output from a misbehaving node', () => {
    const frame = pb.ShardResponse.encode({ executeResult: { requestId: 1, shardId: 's', batch: 1, cols: 1, output: float32ToBytes(new Float32Array([Number.NaN])), deviceTimeNs: 0, energyPj: 0, macs: 0 } })
    assert.throws(() => decodeShardReply(frame), NonFiniteValueError)
  })

  it('rejects negative costs and a status with more free than total tiles', () => {
    const cost = pb.ShardResponse.encode({ executeResult: { requestId: 1, shardId: 's', batch: 1, cols: 1, output: new Uint8Array(4), deviceTimeNs: -1, energyPj: 0, macs: 0 } })
    assert.throws(() => decodeShardReply(cost), MalformedMessageError)
    const status = pb.ShardResponse.encode({ status: { tilesTotal: 1, tilesFree: 2, shardsHeld: 0, queueDepth: 0, inFlight: 0, devicePreset: '', tileRows: 1, tileCols: 1 } })
    assert.throws(() => decodeShardReply(status), MalformedMessageError)
  })

  it('rejects an over-long error message from a peer, and refuses to encode an unknown code', () => {
    const frame = pb.ShardResponse.encode({ error: { code: ErrorCode.BUSY, message: 'x'.repeat(MAX_ERROR_MESSAGE_LENGTH + 1) } })
    assert.throws(() => decodeShardReply(frame), MalformedMessageError)
    assert.throws(() => encodeShardReply({ type: 'error', code: 'NOT_A_CODE' as ErrorCode, message: '' }), MalformedMessageError)
  })

  it('structurally valid replies with arbitrary field values decode or throw a typed error (property)', () => {
    const u32 = fc.nat({ max: 0xffffffff })
    const text = fc.string({ maxLength: 300 })
    const message = fc.oneof(
      fc.record({ executeResult: fc.record({ requestId: u32, shardId: text, batch: fc.nat({ max: 2000 }), cols: fc.nat({ max: 5000 }), output: fc.uint8Array({ maxLength: 64 }), deviceTimeNs: fc.double(), energyPj: fc.double(), macs: fc.double() }) }),
      fc.record({ status: fc.record({ tilesTotal: u32, tilesFree: u32, shardsHeld: u32, queueDepth: u32, inFlight: u32, devicePreset: text, tileRows: u32, tileCols: u32 }) }),
      fc.record({ programCommitted: fc.record({ shardId: text, tilesUsed: u32, contentSha256: fc.uint8Array({ maxLength: 40 }) }) }),
      fc.record({ error: fc.record({ code: fc.constantFrom(...ERROR_CODES), message: fc.string({ maxLength: 1100 }), requestId: fc.option(u32, { nil: undefined }), shardId: fc.option(text, { nil: undefined }) }) })
    )
    fc.assert(fc.property(message, (m) => decodesOrFailsTyped(decodeShardReply, pb.ShardResponse.encode(m as pb.ShardResponse))), { seed: 10, numRuns: 3000 })
  })

  it('rejects an unknown error code as malformed', () => {
    // Field 1 (code), varint 99: not in the enum.
    const inner = Uint8Array.from([0x08, 99])
    const frame = Uint8Array.from([0x32, inner.byteLength, ...inner])
    assert.throws(() => decodeShardReply(frame), MalformedMessageError)
  })

  itSurvivesGarbage(decodeShardReply, () => replies.map((r) => encodeShardReply(r)), { bytes: 6, edits: 7 })
})

describe('frame size limits', () => {
  it('the largest legal execute request and result fit in one frame', () => {
    const rows = 256
    const batch = MAX_TENSOR_SIZE_BYTES / (rows * 4)
    const input = new Float32Array(batch * rows).fill(1)
    const request = encodeShardRequest({ type: 'execute', requestId: 0xffffffff, shardId: 'x'.repeat(256), batch, rows, input, tSeconds: 1e9, driftCompensation: true, noiseKey: 'x'.repeat(MAX_NOISE_KEY_TEXT_LENGTH_BYTES) })
    assert.ok(request.byteLength <= MAX_FRAME_SIZE_BYTES)
    const reply = encodeShardReply({ type: 'execute-result', requestId: 0xffffffff, shardId: 'x'.repeat(256), batch, cols: rows, output: input, deviceTimeNs: 1e12, energyPj: 1e12, macs: 1e12 })
    assert.ok(reply.byteLength <= MAX_FRAME_SIZE_BYTES)
  })
})
