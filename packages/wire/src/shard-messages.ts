/**
 * Checked messages of the /tessera/shard/1.0.0 protocol. Decoding a frame gives either a fully validated
 * message (shapes agree with byte lengths, batches within limits, values finite, tensors as Float32Array) or
 * a named {@link WireError} whose code is what the server replies with. Encoding runs the same checks, so a
 * local bug surfaces as the same error before anything is sent.
 *
 * The exchanges (one per stream; the dialer sends, the listener answers each request with one reply):
 * - program: `program-begin` → `program-ready` (tiles reserved) | `error`; then every `program-chunk` in index
 *   order and `program-commit` → `program-committed` | `error`.
 * - execute: `execute` → `execute-result` | `error` (several may be pipelined on one stream, matched by
 *   `requestId`).
 * - release: `release` → `released` | `error`.
 * - status: `status` → `status` | `error`.
 * - keep-alive: `keep-alive` (shard ids) → `kept-alive` (the caller's own shards among them, leases renewed) | `error`.
 * - hand-over: `hand-over` (shard id, new owner's PeerId) → `handed-over` | `error`.
 * A request that fails validation gets an `error` reply (use `toErrorReply(err)`: a decoding error carries the
 * request and shard ids it could read); an undecodable or oversized frame gets one too, then the stream closes.
 */
import type { Uint8ArrayList } from 'uint8arraylist'
import {
  MAX_CHUNKS, MAX_CHUNK_SIZE_BYTES, MAX_ERROR_MESSAGE_LENGTH, MAX_KEEP_ALIVE_SHARDS,
  MAX_PEER_ID_TEXT_LENGTH_BYTES, MAX_QUOTA_RESOURCE_LENGTH_BYTES, MIN_CHUNK_SIZE_BYTES
} from './constants.js'
import {
  ERROR_CODES, ErrorCode, MalformedMessageError, ShapeMismatchError, TooManyChunksError, isProtocolError
} from './errors.js'
import type { QuotaDetail } from './errors.js'
import { assertFinite, bytesToFloat32, FLOAT32_BYTES, float32BytesView } from './float32.js'
import { messageFrames } from './frames.js'
import * as pb from './pb/shard.js'
import {
  checkBatch, checkDevicePreset, checkDimension, checkNonNegative, checkNoiseKey, checkSeed, checkSha256, checkShardId,
  checkTensorBytes, checkText, checkTSeconds, checkUint32
} from './validate.js'

/** Opens a chunked upload of a `rows × cols` block. */
export interface ProgramBeginRequest {
  type: 'program-begin'
  shardId: string
  rows: number
  cols: number
  /** Preset the coordinator planned for; empty or absent accepts the node's device. */
  devicePreset?: string
  /** Programming-noise seed (same seed and weights give the same conductances on every node). */
  seed: number | string
  /** Default time since programming (s) for executes of this shard. */
  tSeconds?: number
  totalChunks: number
  /** Size of every chunk but the last (a multiple of 4). */
  chunkSizeBytes: number
  /** SHA-256 of the weights as float32 little-endian bytes. */
  contentSha256: Uint8Array
}

/**
 * One slice of the weight bytes: bytes [index × chunkSizeBytes, …) of the row-major float32 LE block. A
 * decoded chunk's `data` is a view into the frame; the assembler copies it at once.
 */
export interface ProgramChunkRequest {
  type: 'program-chunk'
  index: number
  data: Uint8Array
}

/** Ends an upload; the node verifies count and hash, then programs the block. */
export interface ProgramCommitRequest {
  type: 'program-commit'
  shardId: string
}

/** Runs `batch` input vectors of length `rows` through a held shard. */
export interface ExecuteRequest {
  type: 'execute'
  requestId: number
  shardId: string
  batch: number
  rows: number
  /** `batch × rows`, row-major. */
  input: Float32Array
  tSeconds?: number
  driftCompensation?: boolean
  /**
   * Names the call's read noise (crossbar `ExecuteOptions.noiseKey`): the same key on a shard programmed with the
   * same seed reads the same noise whatever the order of calls; absent, the node's blocks draw from their own
   * generators. A finite number or a string of at most {@link MAX_NOISE_KEY_TEXT_LENGTH_BYTES} UTF-8 bytes.
   */
  noiseKey?: number | string
}

export interface ReleaseRequest {
  type: 'release'
  shardId: string
}

export interface StatusRequest {
  type: 'status'
}

/** Renews the leases of the caller's shards among `shardIds` (at most {@link MAX_KEEP_ALIVE_SHARDS}). */
export interface KeepAliveRequest {
  type: 'keep-alive'
  shardIds: string[]
}

/**
 * Hands one of the caller's programmed shards to `newOwner` (a PeerId as text; the wire package only bounds its
 * length, the serving node parses it). Only the shard's owner can; the new owner's tile quota applies.
 */
export interface HandOverRequest {
  type: 'hand-over'
  shardId: string
  newOwner: string
}

/** Any request of the shard protocol. */
export type ShardRequest = ProgramBeginRequest | ProgramChunkRequest | ProgramCommitRequest | ExecuteRequest |
ReleaseRequest | StatusRequest | KeepAliveRequest | HandOverRequest

export interface ProgramReadyReply {
  type: 'program-ready'
  shardId: string
  tilesReserved: number
}

export interface ProgramCommittedReply {
  type: 'program-committed'
  shardId: string
  tilesUsed: number
  contentSha256: Uint8Array
}

export interface ExecuteResultReply {
  type: 'execute-result'
  requestId: number
  shardId: string
  batch: number
  cols: number
  /** `batch × cols`, row-major. */
  output: Float32Array
  /** Emulated device time of the call (ns), energy (pJ) and multiply-accumulates, from the crossbar. */
  deviceTimeNs: number
  energyPj: number
  macs: number
}

export interface ReleasedReply {
  type: 'released'
  shardId: string
  tilesFreed: number
}

export interface StatusReply {
  type: 'status'
  tilesTotal: number
  tilesFree: number
  shardsHeld: number
  queueDepth: number
  inFlight: number
  devicePreset: string
  tileRows: number
  tileCols: number
}

/**
 * The shards of a keep-alive that the caller owns and the node still holds, their leases renewed to `leaseMs`. A
 * requested id missing here has expired, was released or never was the caller's: the reply does not say which.
 */
export interface KeptAliveReply {
  type: 'kept-alive'
  shardIds: string[]
  leaseMs: number
}

/** `shardId` now belongs to `newOwner` (same id, in its namespace), under a fresh lease of `leaseMs`. */
export interface HandedOverReply {
  type: 'handed-over'
  shardId: string
  newOwner: string
  leaseMs: number
}

/** A typed failure; turn it into the named error with `errorFromReply`. */
export interface ErrorReply {
  type: 'error'
  code: ErrorCode
  message: string
  requestId?: number
  shardId?: string
  /** Set on QUOTA_EXCEEDED: which quota and how much. */
  quota?: QuotaDetail
}

/** Any reply of the shard protocol. */
export type ShardReply = ProgramReadyReply | ProgramCommittedReply | ExecuteResultReply | ReleasedReply |
StatusReply | KeptAliveReply | HandedOverReply | ErrorReply

/** Number of chunks a `byteLength`-byte upload needs at `chunkSizeBytes` per chunk. */
export function chunkCount (byteLength: number, chunkSizeBytes: number): number {
  return Math.ceil(byteLength / chunkSizeBytes)
}

function checkProgramBegin (msg: Omit<ProgramBeginRequest, 'type'>): ProgramBeginRequest {
  const shardId = checkShardId(msg.shardId)
  const rows = checkDimension(msg.rows, 'rows')
  const cols = checkDimension(msg.cols, 'cols')
  const devicePreset = msg.devicePreset === undefined ? undefined : checkDevicePreset(msg.devicePreset)
  const seed = checkSeed(msg.seed)
  const tSeconds = checkTSeconds(msg.tSeconds)
  const chunkSizeBytes = checkUint32(msg.chunkSizeBytes, 'chunk size')
  if (chunkSizeBytes < MIN_CHUNK_SIZE_BYTES || chunkSizeBytes > MAX_CHUNK_SIZE_BYTES ||
    chunkSizeBytes % FLOAT32_BYTES !== 0) {
    throw new MalformedMessageError(`chunk size must be a multiple of ${FLOAT32_BYTES} in [${MIN_CHUNK_SIZE_BYTES}, ${MAX_CHUNK_SIZE_BYTES}] bytes, got ${chunkSizeBytes}`)
  }
  const totalChunks = checkUint32(msg.totalChunks, 'total chunks')
  if (totalChunks > MAX_CHUNKS) throw new TooManyChunksError(`${totalChunks} chunks exceed ${MAX_CHUNKS}`)
  const needed = chunkCount(rows * cols * FLOAT32_BYTES, chunkSizeBytes)
  if (needed > MAX_CHUNKS) {
    throw new TooManyChunksError(`a ${rows}×${cols} block needs ${needed} chunks of ${chunkSizeBytes} bytes, more than ${MAX_CHUNKS}`)
  }
  if (totalChunks !== needed) {
    throw new ShapeMismatchError(`a ${rows}×${cols} block in ${chunkSizeBytes}-byte chunks needs ${needed} chunks, not ${totalChunks}`)
  }
  const contentSha256 = checkSha256(msg.contentSha256)
  const out: ProgramBeginRequest = { type: 'program-begin', shardId, rows, cols, seed, totalChunks, chunkSizeBytes, contentSha256 }
  if (devicePreset !== undefined && devicePreset !== '') out.devicePreset = devicePreset
  if (tSeconds !== undefined) out.tSeconds = tSeconds
  return out
}

function checkChunk (index: unknown, data: unknown): void {
  checkUint32(index, 'chunk index')
  if (!(data instanceof Uint8Array)) throw new MalformedMessageError('chunk data must be bytes')
  if (data.byteLength === 0 || data.byteLength > MAX_CHUNK_SIZE_BYTES || data.byteLength % FLOAT32_BYTES !== 0) {
    throw new ShapeMismatchError(`chunk of ${data.byteLength} bytes: must be a non-empty multiple of ${FLOAT32_BYTES} up to ${MAX_CHUNK_SIZE_BYTES}`)
  }
}

function checkExecuteHeader (msg: { requestId: unknown, shardId: unknown, batch: unknown, rows: unknown, tSeconds?: unknown, noiseKey?: unknown }): void {
  checkUint32(msg.requestId, 'request id')
  checkShardId(msg.shardId)
  const rows = checkDimension(msg.rows, 'rows')
  checkBatch(msg.batch, rows)
  checkTSeconds(msg.tSeconds)
  checkNoiseKey(msg.noiseKey)
}

/** Runs a check; a wire error it throws is tagged with the request and shard it concerns. */
function withContext<T> (requestId: number | undefined, shardId: string, check: () => T): T {
  try {
    return check()
  } catch (err) {
    if (isProtocolError(err)) {
      if (requestId !== undefined) err.requestId = requestId
      if (isValidShardId(shardId)) err.shardId = shardId
    }
    throw err
  }
}

function isValidShardId (shardId: string): boolean {
  try {
    checkShardId(shardId)
    return true
  } catch {
    return false
  }
}

/** Reads a `count`-value float32 tensor field, checking its length and that every value is finite. */
function decodeTensor (bytes: Uint8Array, count: number, what: string): Float32Array {
  checkTensorBytes(bytes, count, what)
  const values = bytesToFloat32(bytes)
  assertFinite(values, what)
  return values
}

/** The wire bytes of a tensor that must hold `count` finite values (`shape` says which product `count` is). */
function encodeTensor (values: Float32Array, count: number, what: string, shape: string): Uint8Array<ArrayBuffer> {
  if (!(values instanceof Float32Array) || values.length !== count) {
    throw new ShapeMismatchError(`${what} must be a Float32Array of ${shape} = ${count} values`)
  }
  assertFinite(values, what)
  return float32BytesView(values)
}

/** Validates a raw decoded request. */
export function checkShardRequest (msg: pb.ShardRequest): ShardRequest {
  if (msg.programBegin != null) {
    const m = msg.programBegin
    return withContext(undefined, m.shardId, () => checkProgramBegin({
      shardId: m.shardId,
      rows: m.rows,
      cols: m.cols,
      devicePreset: m.devicePreset,
      seed: (m.seedNumber ?? m.seedText) as number | string,
      tSeconds: m.tSeconds,
      totalChunks: m.totalChunks,
      chunkSizeBytes: m.chunkSizeBytes,
      contentSha256: m.contentSha256
    }))
  }
  if (msg.programChunk != null) {
    checkChunk(msg.programChunk.index, msg.programChunk.data)
    return { type: 'program-chunk', index: msg.programChunk.index, data: msg.programChunk.data }
  }
  if (msg.programCommit != null) {
    return { type: 'program-commit', shardId: checkShardId(msg.programCommit.shardId) }
  }
  if (msg.execute != null) {
    const m = msg.execute
    const noiseKey = m.noiseKeyNumber ?? m.noiseKeyText
    return withContext(m.requestId, m.shardId, () => {
      checkExecuteHeader({ ...m, noiseKey })
      const input = decodeTensor(m.input, m.batch * m.rows, 'input')
      const out: ExecuteRequest = { type: 'execute', requestId: m.requestId, shardId: m.shardId, batch: m.batch, rows: m.rows, input }
      if (m.tSeconds !== undefined) out.tSeconds = m.tSeconds
      if (m.driftCompensation !== undefined) out.driftCompensation = m.driftCompensation
      if (noiseKey !== undefined) out.noiseKey = noiseKey
      return out
    })
  }
  if (msg.release != null) {
    return { type: 'release', shardId: checkShardId(msg.release.shardId) }
  }
  if (msg.status != null) {
    return { type: 'status' }
  }
  if (msg.keepAlive != null) {
    return { type: 'keep-alive', shardIds: checkShardIds(msg.keepAlive.shardIds) }
  }
  if (msg.handOver != null) {
    return { type: 'hand-over', shardId: checkShardId(msg.handOver.shardId), newOwner: checkPeerIdText(msg.handOver.newOwner) }
  }
  throw new MalformedMessageError('request has no body')
}

const REQUEST_FRAMES = messageFrames(pb.ShardRequest, 'shard request', checkShardRequest, requestMessage)

/**
 * Decodes and validates one request frame.
 *
 * @throws {FrameTooLargeError} over MAX_FRAME_SIZE_BYTES (constants.ts)
 * @throws {MalformedMessageError} undecodable bytes, missing body or out-of-range fields
 * @throws {ShapeMismatchError | BatchTooLargeError | TooManyChunksError | NonFiniteValueError} as named
 */
export const decodeShardRequest: (frame: Uint8Array | Uint8ArrayList) => ShardRequest = REQUEST_FRAMES.decode

/**
 * Validates and encodes one request.
 *
 * @throws the same named errors as {@link decodeShardRequest} for a request that peer would reject
 */
export const encodeShardRequest: (request: ShardRequest) => Uint8Array = REQUEST_FRAMES.encode

/** The raw message of a checked request. */
function requestMessage (request: ShardRequest): pb.ShardRequest {
  switch (request.type) {
    case 'program-begin': {
      const m = checkProgramBegin(request)
      return {
        programBegin: {
          shardId: m.shardId,
          rows: m.rows,
          cols: m.cols,
          devicePreset: m.devicePreset ?? '',
          ...(typeof m.seed === 'number' ? { seedNumber: m.seed } : { seedText: m.seed }),
          tSeconds: m.tSeconds,
          totalChunks: m.totalChunks,
          chunkSizeBytes: m.chunkSizeBytes,
          contentSha256: toArrayBufferBytes(m.contentSha256)
        }
      }
    }
    case 'program-chunk':
      checkChunk(request.index, request.data)
      return { programChunk: { index: request.index, data: toArrayBufferBytes(request.data) } }
    case 'program-commit':
      return { programCommit: { shardId: checkShardId(request.shardId) } }
    case 'execute': {
      checkExecuteHeader(request)
      const input = encodeTensor(request.input, request.batch * request.rows, 'input', 'batch × rows')
      return {
        execute: {
          requestId: request.requestId,
          shardId: request.shardId,
          batch: request.batch,
          rows: request.rows,
          input,
          tSeconds: request.tSeconds,
          driftCompensation: request.driftCompensation,
          ...(request.noiseKey === undefined ? {} : typeof request.noiseKey === 'number' ? { noiseKeyNumber: request.noiseKey } : { noiseKeyText: request.noiseKey })
        }
      }
    }
    case 'release':
      return { release: { shardId: checkShardId(request.shardId) } }
    case 'status':
      return { status: {} }
    case 'keep-alive':
      return { keepAlive: { shardIds: checkShardIds(request.shardIds) } }
    case 'hand-over':
      return { handOver: { shardId: checkShardId(request.shardId), newOwner: checkPeerIdText(request.newOwner) } }
    default:
      throw new MalformedMessageError(`unknown request type ${String((request as { type?: unknown }).type)}`)
  }
}

function checkExecuteResult (m: Omit<ExecuteResultReply, 'type' | 'output'> & { output: Uint8Array | Float32Array }): void {
  checkUint32(m.requestId, 'request id')
  checkShardId(m.shardId)
  const cols = checkDimension(m.cols, 'cols')
  checkBatch(m.batch, 1, cols)
  checkNonNegative(m.deviceTimeNs, 'device time')
  checkNonNegative(m.energyPj, 'energy')
  checkNonNegative(m.macs, 'macs')
}

/** Validates a raw decoded reply. */
export function checkShardReply (msg: pb.ShardResponse): ShardReply {
  if (msg.programReady != null) {
    return { type: 'program-ready', shardId: checkShardId(msg.programReady.shardId), tilesReserved: msg.programReady.tilesReserved }
  }
  if (msg.programCommitted != null) {
    const m = msg.programCommitted
    return { type: 'program-committed', shardId: checkShardId(m.shardId), tilesUsed: m.tilesUsed, contentSha256: checkSha256(m.contentSha256) }
  }
  if (msg.executeResult != null) {
    const m = msg.executeResult
    return withContext(m.requestId, m.shardId, (): ExecuteResultReply => {
      checkExecuteResult(m)
      return { type: 'execute-result', ...m, output: decodeTensor(m.output, m.batch * m.cols, 'output') }
    })
  }
  if (msg.released != null) {
    return { type: 'released', shardId: checkShardId(msg.released.shardId), tilesFreed: msg.released.tilesFreed }
  }
  if (msg.status != null) {
    const m = msg.status
    if (m.tilesFree > m.tilesTotal) throw new MalformedMessageError(`tiles free ${m.tilesFree} exceeds tiles total ${m.tilesTotal}`)
    return { type: 'status', ...m, devicePreset: checkDevicePreset(m.devicePreset) }
  }
  if (msg.keptAlive != null) {
    return { type: 'kept-alive', shardIds: checkShardIds(msg.keptAlive.shardIds), leaseMs: msg.keptAlive.leaseMs }
  }
  if (msg.handedOver != null) {
    const m = msg.handedOver
    return { type: 'handed-over', shardId: checkShardId(m.shardId), newOwner: checkPeerIdText(m.newOwner), leaseMs: m.leaseMs }
  }
  if (msg.error != null) {
    const m = msg.error
    if (m.message.length > MAX_ERROR_MESSAGE_LENGTH) throw new MalformedMessageError('error message too long')
    const reply: ErrorReply = { type: 'error', code: m.code, message: m.message }
    if (m.requestId !== undefined) reply.requestId = m.requestId
    if (m.shardId !== undefined) reply.shardId = checkShardId(m.shardId)
    if (m.quota !== undefined) reply.quota = checkQuota(m.quota)
    return reply
  }
  throw new MalformedMessageError('reply has no body')
}

const REPLY_FRAMES = messageFrames(pb.ShardResponse, 'shard reply', checkShardReply, replyMessage)

/**
 * Decodes and validates one reply frame (an error reply decodes as data, not as a throw).
 *
 * @throws {FrameTooLargeError | MalformedMessageError | ShapeMismatchError | NonFiniteValueError} as named
 */
export const decodeShardReply: (frame: Uint8Array | Uint8ArrayList) => ShardReply = REPLY_FRAMES.decode

/** Validates and encodes one reply. */
export const encodeShardReply: (reply: ShardReply) => Uint8Array = REPLY_FRAMES.encode

/**
 * The raw message of a checked reply. A body whose fields are the reply's is spread from it: protons writes only
 * the fields of the schema, so the reply's `type` tag is not sent.
 */
function replyMessage (reply: ShardReply): pb.ShardResponse {
  switch (reply.type) {
    case 'program-ready':
      return { programReady: { shardId: checkShardId(reply.shardId), tilesReserved: checkUint32(reply.tilesReserved, 'tiles reserved') } }
    case 'program-committed':
      return {
        programCommitted: {
          shardId: checkShardId(reply.shardId),
          tilesUsed: checkUint32(reply.tilesUsed, 'tiles used'),
          contentSha256: toArrayBufferBytes(checkSha256(reply.contentSha256))
        }
      }
    case 'execute-result': {
      checkExecuteResult(reply)
      return { executeResult: { ...reply, output: encodeTensor(reply.output, reply.batch * reply.cols, 'output', 'batch × cols') } }
    }
    case 'released':
      return { released: { shardId: checkShardId(reply.shardId), tilesFreed: checkUint32(reply.tilesFreed, 'tiles freed') } }
    case 'status':
      for (const field of ['tilesTotal', 'tilesFree', 'shardsHeld', 'queueDepth', 'inFlight', 'tileRows', 'tileCols'] as const) {
        checkUint32(reply[field], field)
      }
      if (reply.tilesFree > reply.tilesTotal) throw new MalformedMessageError('tiles free exceeds tiles total')
      return { status: { ...reply, devicePreset: checkDevicePreset(reply.devicePreset) } }
    case 'kept-alive':
      return { keptAlive: { shardIds: checkShardIds(reply.shardIds), leaseMs: checkUint32(reply.leaseMs, 'lease ms') } }
    case 'handed-over':
      return { handedOver: { shardId: checkShardId(reply.shardId), newOwner: checkPeerIdText(reply.newOwner), leaseMs: checkUint32(reply.leaseMs, 'lease ms') } }
    case 'error':
      if (!ERROR_CODES.includes(reply.code)) throw new MalformedMessageError(`unknown error code ${String(reply.code)}`)
      return {
        error: {
          code: reply.code,
          message: reply.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
          requestId: reply.requestId === undefined ? undefined : checkUint32(reply.requestId, 'request id'),
          shardId: reply.shardId === undefined ? undefined : checkShardId(reply.shardId),
          quota: reply.quota === undefined ? undefined : checkQuota(reply.quota)
        }
      }
    default:
      throw new MalformedMessageError(`unknown reply type ${String((reply as { type?: unknown }).type)}`)
  }
}

/** The shard ids of a keep-alive: at most {@link MAX_KEEP_ALIVE_SHARDS}, each a valid shard id. */
function checkShardIds (ids: unknown): string[] {
  if (!Array.isArray(ids)) throw new MalformedMessageError('shard ids must be a list')
  if (ids.length > MAX_KEEP_ALIVE_SHARDS) throw new MalformedMessageError(`${ids.length} shard ids exceed ${MAX_KEEP_ALIVE_SHARDS}`)
  return ids.map((id) => checkShardId(id))
}

/** A new owner's PeerId text: non-empty, at most {@link MAX_PEER_ID_TEXT_LENGTH_BYTES} bytes (the node parses it). */
function checkPeerIdText (text: unknown): string {
  return checkText(text, 'new owner', MAX_PEER_ID_TEXT_LENGTH_BYTES, false)
}

/** A quota detail with a bounded resource name and finite, non-negative amounts. */
function checkQuota (q: QuotaDetail): QuotaDetail {
  return {
    resource: checkText(q.resource, 'quota resource', MAX_QUOTA_RESOURCE_LENGTH_BYTES, false),
    limit: checkNonNegative(q.limit, 'quota limit'),
    requested: checkNonNegative(q.requested, 'quota requested')
  }
}

/** protons types bytes fields as `Uint8Array<ArrayBuffer>`; a view over a SharedArrayBuffer is copied. */
function toArrayBufferBytes (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? bytes as Uint8Array<ArrayBuffer> : new Uint8Array(bytes)
}
