/**
 * Chunked upload of a weight block: the sender splits the float32 LE bytes into fixed-size chunks and
 * announces their count and SHA-256; the receiver reassembles them in order into a preallocated block and
 * checks count, sizes, hash and values before anything is programmed.
 */
import { createHash } from 'node:crypto'
import { CHUNK_SIZE_BYTES } from './constants.js'
import {
  ChunkOutOfOrderError, HashMismatchError, IncompleteUploadError, ShapeMismatchError, TooManyChunksError,
  UnexpectedMessageError
} from './errors.js'
import { assertFinite, bytesToFloat32, FLOAT32_BYTES, float32ToBytes, HOST_IS_LITTLE_ENDIAN } from './float32.js'
import { chunkCount, encodeShardRequest } from './shard-messages.js'
import type { ProgramBeginRequest, ProgramChunkRequest, ProgramCommitRequest } from './shard-messages.js'
import { checkDimension } from './validate.js'

/** SHA-256 of `bytes`. */
export function sha256 (bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}

/** What to upload. */
export interface ProgramUploadInit {
  shardId: string
  /** `rows × cols`, row-major (crossbar orientation: rows are inputs). */
  weights: Float32Array
  rows: number
  cols: number
  seed: number | string
  devicePreset?: string
  tSeconds?: number
  /** Bytes per chunk (a multiple of 4); default {@link CHUNK_SIZE_BYTES}. */
  chunkSizeBytes?: number
}

/** The messages of one upload, in sending order: begin, every chunk, commit. */
export interface ProgramUpload {
  begin: ProgramBeginRequest
  /** Views over one byte copy of the weights; no further copies are made. */
  chunks: ProgramChunkRequest[]
  commit: ProgramCommitRequest
}

/**
 * Splits a block into the messages of a chunked upload. The begin message is validated (so a block that no
 * node would accept fails here with the same named error).
 *
 * @example
 * ```ts
 * const upload = createProgramUpload({ shardId: 'mlp/fc1/0/0', weights, rows: 256, cols: 256, seed: 7 })
 * for (const message of [upload.begin, ...upload.chunks, upload.commit]) send(encodeShardRequest(message))
 * ```
 * @throws {ShapeMismatchError} when `weights.length !== rows × cols`
 * @throws {NonFiniteValueError} when a weight is NaN or ±Infinity
 * @throws {TooManyChunksError} when the block needs more than MAX_CHUNKS chunks at this chunk size
 */
export function createProgramUpload (init: ProgramUploadInit): ProgramUpload {
  const rows = checkDimension(init.rows, 'rows')
  const cols = checkDimension(init.cols, 'cols')
  if (!(init.weights instanceof Float32Array) || init.weights.length !== rows * cols) {
    throw new ShapeMismatchError(`weights must be a Float32Array of rows × cols = ${rows * cols} values`)
  }
  assertFinite(init.weights, 'weights')
  const chunkSizeBytes = init.chunkSizeBytes ?? CHUNK_SIZE_BYTES
  const bytes = float32ToBytes(init.weights)
  const totalChunks = chunkCount(bytes.byteLength, chunkSizeBytes)
  const begin: ProgramBeginRequest = {
    type: 'program-begin',
    shardId: init.shardId,
    rows,
    cols,
    seed: init.seed,
    totalChunks,
    chunkSizeBytes,
    contentSha256: sha256(bytes)
  }
  if (init.devicePreset !== undefined && init.devicePreset !== '') begin.devicePreset = init.devicePreset
  if (init.tSeconds !== undefined) begin.tSeconds = init.tSeconds
  // Encoding validates every field the receiver will check (shard id, chunk size and count, seed, tSeconds).
  encodeShardRequest(begin)
  const chunks: ProgramChunkRequest[] = []
  for (let index = 0; index < totalChunks; index++) {
    const start = index * chunkSizeBytes
    chunks.push({ type: 'program-chunk', index, data: bytes.subarray(start, Math.min(start + chunkSizeBytes, bytes.byteLength)) })
  }
  return { begin, chunks, commit: { type: 'program-commit', shardId: begin.shardId } }
}

/** Receiver side of one upload. */
export interface ProgramAssembler {
  readonly begin: ProgramBeginRequest
  /** Chunks accepted so far. */
  readonly received: number
  /** True once every chunk has arrived. */
  readonly complete: boolean
  /**
   * Copies one chunk into place.
   *
   * @throws {TooManyChunksError} index at or past the declared count
   * @throws {ChunkOutOfOrderError} index other than the next expected one
   * @throws {ShapeMismatchError} a chunk whose size is not the one its index requires
   */
  add: (chunk: ProgramChunkRequest) => void
  /**
   * Checks the finished upload and returns the block (`rows × cols`, row-major).
   *
   * @throws {UnexpectedMessageError} a commit for another shard id
   * @throws {IncompleteUploadError} chunks missing
   * @throws {HashMismatchError} the bytes do not hash to the announced SHA-256
   * @throws {NonFiniteValueError} a weight is NaN or ±Infinity
   */
  finish: (commit?: ProgramCommitRequest) => Float32Array
}

/**
 * Starts reassembling the upload a (validated) `program-begin` announced. Memory for the whole block is
 * allocated here, once; validate capacity before calling it.
 */
export function createProgramAssembler (begin: ProgramBeginRequest): ProgramAssembler {
  const byteLength = begin.rows * begin.cols * FLOAT32_BYTES
  if (chunkCount(byteLength, begin.chunkSizeBytes) !== begin.totalChunks) {
    throw new ShapeMismatchError(`a ${begin.rows}×${begin.cols} block in ${begin.chunkSizeBytes}-byte chunks does not need ${begin.totalChunks} chunks`)
  }
  const bytes = new Uint8Array(byteLength)
  const hash = createHash('sha256')
  let received = 0
  let finished = false

  return {
    begin,
    get received () { return received },
    get complete () { return received === begin.totalChunks },
    add (chunk) {
      if (finished) throw new UnexpectedMessageError('chunk after the upload finished')
      if (chunk.index >= begin.totalChunks) {
        throw new TooManyChunksError(`chunk ${chunk.index} past the declared ${begin.totalChunks}`)
      }
      if (chunk.index !== received) throw new ChunkOutOfOrderError(`chunk ${chunk.index} arrived, expected ${received}`)
      const start = received * begin.chunkSizeBytes
      const expected = Math.min(begin.chunkSizeBytes, byteLength - start)
      if (chunk.data.byteLength !== expected) {
        throw new ShapeMismatchError(`chunk ${chunk.index} has ${chunk.data.byteLength} bytes, expected ${expected}`)
      }
      bytes.set(chunk.data, start)
      hash.update(chunk.data)
      received++
    },
    finish (commit) {
      if (finished) throw new UnexpectedMessageError('upload already finished')
      if (commit !== undefined && commit.shardId !== begin.shardId) {
        throw new UnexpectedMessageError(`commit for shard ${commit.shardId} in the upload of ${begin.shardId}`)
      }
      if (received !== begin.totalChunks) {
        throw new IncompleteUploadError(`${received} of ${begin.totalChunks} chunks received`)
      }
      finished = true
      const digest = hash.digest()
      if (!equalBytes(digest, begin.contentSha256)) throw new HashMismatchError(`the uploaded weights of ${begin.shardId} do not hash to the announced SHA-256`)
      // Little-endian hosts view the assembled bytes directly; others convert once.
      const weights = HOST_IS_LITTLE_ENDIAN ? new Float32Array(bytes.buffer) : bytesToFloat32(bytes)
      assertFinite(weights, 'weights')
      return weights
    }
  }
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
