/**
 * @packageDocumentation
 *
 * The wire format of tessera: protobuf messages (protons) of the shard protocol (program a block by chunked
 * upload, execute batches, release, status, typed error replies), the metrics push and the capacity record;
 * the limits every reader enforces; named errors that travel as error codes. No libp2p node here: callers
 * frame these messages with `lpStream(stream, { maxDataLength: MAX_FRAME_SIZE_BYTES })`.
 *
 * @example
 * ```ts
 * import { createProgramUpload, encodeShardRequest, decodeShardReply, errorFromReply } from '@tessera/wire'
 *
 * const upload = createProgramUpload({ shardId: 'mlp/fc1/0/0', weights, rows: 256, cols: 256, seed: 7 })
 * await lp.write(encodeShardRequest(upload.begin))
 * const ready = decodeShardReply(await lp.read())
 * if (ready.type === 'error') throw errorFromReply(ready)
 * for (const chunk of upload.chunks) await lp.write(encodeShardRequest(chunk))
 * await lp.write(encodeShardRequest(upload.commit))
 * ```
 */

export * from './constants.js'
export * from './errors.js'
export { errorFromReply, toErrorReply, wireErrorFromCode, ERROR_CODE_BY_ERROR_NAME } from './error-reply.js'
export type { ErrorReplyContext } from './error-reply.js'
export { float32ToBytes, bytesToFloat32, assertFinite, firstNonFiniteIndex, FLOAT32_BYTES } from './float32.js'
export {
  chunkCount, checkShardRequest, checkShardReply, decodeShardRequest, decodeShardReply, encodeShardRequest,
  encodeShardReply
} from './shard-messages.js'
export type {
  ShardRequest, ProgramBeginRequest, ProgramChunkRequest, ProgramCommitRequest, ExecuteRequest, ReleaseRequest,
  StatusRequest, ShardReply, ProgramReadyReply, ProgramCommittedReply, ExecuteResultReply, ReleasedReply,
  StatusReply, ErrorReply, KeepAliveRequest, KeptAliveReply, HandOverRequest, HandedOverReply
} from './shard-messages.js'
export { createProgramUpload, createProgramAssembler, sha256 } from './chunking.js'
export type { ProgramUpload, ProgramUploadInit, ProgramAssembler } from './chunking.js'
export { checkBatch, maxBatchFor } from './validate.js'
export { checkMetricsSample, decodeMetricsSample, encodeMetricsSample } from './metrics-sample.js'
export type { MetricsSample } from './metrics-sample.js'
export * as pb from './pb/index.js'
