import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { CHUNK_SIZE_BYTES } from '../src/constants.js'
import {
  ChunkOutOfOrderError, HashMismatchError, IncompleteUploadError, NonFiniteValueError, ShapeMismatchError,
  TooManyChunksError, UnexpectedMessageError
} from '../src/errors.js'
import { createProgramAssembler, createProgramUpload, sha256 } from '../src/chunking.js'
import { decodeShardRequest, encodeShardRequest } from '../src/shard-messages.js'
import type { ProgramBeginRequest, ProgramChunkRequest, ProgramCommitRequest } from '../src/shard-messages.js'

function weightsOf (n: number, seed: number): Float32Array {
  // A fixed affine recurrence: deterministic, no two neighbours equal, exactly representable in float32.
  const w = new Float32Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    w[i] = (s >>> 8) / 2 ** 24 - 0.5
  }
  return w
}

function viaWire<T> (message: T): T {
  return decodeShardRequest(encodeShardRequest(message as never)) as T
}

describe('sha256', () => {
  it('matches node:crypto on the float32 bytes', () => {
    const bytes = new Uint8Array([1, 2, 3])
    assert.deepEqual(sha256(bytes), new Uint8Array(createHash('sha256').update(bytes).digest()))
  })
})

describe('createProgramUpload', () => {
  it('splits a 512×512 block into 256 KiB chunks with the hash of the LE bytes', () => {
    const weights = weightsOf(512 * 512, 1)
    const upload = createProgramUpload({ shardId: 's', weights, rows: 512, cols: 512, seed: 3 })
    assert.equal(upload.begin.chunkSizeBytes, CHUNK_SIZE_BYTES)
    assert.equal(upload.begin.totalChunks, (512 * 512 * 4) / CHUNK_SIZE_BYTES)
    assert.equal(upload.chunks.length, upload.begin.totalChunks)
    for (const chunk of upload.chunks) assert.equal(chunk.data.byteLength, CHUNK_SIZE_BYTES)
    const hash = createHash('sha256')
    for (const chunk of upload.chunks) hash.update(chunk.data)
    assert.deepEqual(upload.begin.contentSha256, new Uint8Array(hash.digest()))
    assert.deepEqual(upload.commit, { type: 'program-commit', shardId: 's' })
  })

  it('carries preset, seed text and tSeconds into a begin message that survives the wire', () => {
    const upload = createProgramUpload({ shardId: 's', weights: weightsOf(6, 4), rows: 2, cols: 3, seed: 'job/7', devicePreset: 'pcm', tSeconds: 3600 })
    const begin = viaWire(upload.begin)
    assert.equal(begin.devicePreset, 'pcm')
    assert.equal(begin.seed, 'job/7')
    assert.equal(begin.tSeconds, 3600)
    assert.deepEqual(begin, upload.begin)
  })

  it('makes a short last chunk when the size does not divide', () => {
    const upload = createProgramUpload({ shardId: 's', weights: weightsOf(10, 2), rows: 2, cols: 5, seed: 'x', chunkSizeBytes: 12 })
    assert.deepEqual(upload.chunks.map((c) => c.data.byteLength), [12, 12, 12, 4])
  })

  it('rejects weights that do not match the shape, and non-finite weights', () => {
    assert.throws(() => createProgramUpload({ shardId: 's', weights: new Float32Array(5), rows: 2, cols: 3, seed: 1 }), ShapeMismatchError)
    const bad = weightsOf(6, 3)
    bad[4] = Number.NaN
    assert.throws(() => createProgramUpload({ shardId: 's', weights: bad, rows: 2, cols: 3, seed: 1 }), NonFiniteValueError)
    assert.throws(() => createProgramUpload({ shardId: 's', weights: weightsOf(4096 * 8, 1), rows: 4096, cols: 8, seed: 1, chunkSizeBytes: 4 }), TooManyChunksError)
  })
})

describe('createProgramAssembler', () => {
  it('reassembles any shape and chunk size bit for bit through the wire (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 64 }), fc.nat(),
      (rows, cols, chunkFloats, seed) => {
        const weights = weightsOf(rows * cols, seed)
        const upload = createProgramUpload({ shardId: 'p', weights, rows, cols, seed, chunkSizeBytes: chunkFloats * 4 })
        const assembler = createProgramAssembler(viaWire(upload.begin))
        for (const chunk of upload.chunks) {
          assert.equal(assembler.complete, false)
          assembler.add(viaWire(chunk))
        }
        assert.equal(assembler.complete, true)
        assert.equal(assembler.received, upload.chunks.length)
        const out = assembler.finish(viaWire(upload.commit))
        assert.deepEqual(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), new Uint8Array(weights.buffer))
      }), { seed: 8, numRuns: 200 })
  })

  function setup (): { begin: ProgramBeginRequest, chunks: ProgramChunkRequest[], commit: ProgramCommitRequest } {
    return createProgramUpload({ shardId: 's', weights: weightsOf(40, 9), rows: 5, cols: 8, seed: 1, chunkSizeBytes: 32 })
  }

  it('rejects a chunk out of order and a repeated chunk', () => {
    const { begin, chunks } = setup()
    const a = createProgramAssembler(begin)
    assert.throws(() => a.add(chunks[1]), ChunkOutOfOrderError)
    a.add(chunks[0])
    assert.throws(() => a.add(chunks[0]), ChunkOutOfOrderError)
  })

  it('rejects a chunk index past the declared count', () => {
    const { begin } = setup()
    const a = createProgramAssembler(begin)
    assert.throws(() => a.add({ type: 'program-chunk', index: begin.totalChunks, data: new Uint8Array(32) }), TooManyChunksError)
  })

  it('rejects a chunk of the wrong size, including a short middle chunk', () => {
    const { begin, chunks } = setup()
    const a = createProgramAssembler(begin)
    assert.throws(() => a.add({ type: 'program-chunk', index: 0, data: chunks[0].data.subarray(0, 28) }), ShapeMismatchError)
    assert.throws(() => a.add({ type: 'program-chunk', index: 0, data: new Uint8Array(36) }), ShapeMismatchError)
  })

  it('rejects a commit before every chunk arrived', () => {
    const { begin, chunks, commit } = setup()
    const a = createProgramAssembler(begin)
    for (const chunk of chunks.slice(0, -1)) a.add(chunk)
    assert.throws(() => a.finish(commit), IncompleteUploadError)
  })

  it('rejects tampered bytes with a hash mismatch', () => {
    const { begin, chunks, commit } = setup()
    const a = createProgramAssembler(begin)
    for (const chunk of chunks) {
      const data = new Uint8Array(chunk.data)
      if (chunk.index === 2) data[5] ^= 1
      a.add({ ...chunk, data })
    }
    assert.throws(() => a.finish(commit), HashMismatchError)
  })

  it('rejects non-finite weights even when the hash matches', () => {
    const bytes = new Uint8Array(new Float32Array([1, Number.POSITIVE_INFINITY, 2, 3]).buffer)
    const begin: ProgramBeginRequest = { type: 'program-begin', shardId: 's', rows: 2, cols: 2, seed: 1, totalChunks: 1, chunkSizeBytes: 16, contentSha256: sha256(bytes) }
    const a = createProgramAssembler(begin)
    a.add({ type: 'program-chunk', index: 0, data: bytes })
    assert.throws(() => a.finish(), NonFiniteValueError)
  })

  it('rejects a commit for another shard and chunks after finishing', () => {
    const { begin, chunks, commit } = setup()
    const a = createProgramAssembler(begin)
    for (const chunk of chunks) a.add(chunk)
    assert.throws(() => a.finish({ type: 'program-commit', shardId: 'other' }), UnexpectedMessageError)
    a.finish(commit)
    assert.throws(() => a.add(chunks[0]), UnexpectedMessageError)
    assert.throws(() => a.finish(commit), UnexpectedMessageError)
  })

  it('refuses a begin whose chunk count does not fit its shape', () => {
    const { begin } = setup()
    assert.throws(() => createProgramAssembler({ ...begin, totalChunks: begin.totalChunks + 1 }), ShapeMismatchError)
  })
})
