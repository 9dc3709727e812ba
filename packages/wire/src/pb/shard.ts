/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum ErrorCode {
  UNSPECIFIED = 'UNSPECIFIED',
  FRAME_TOO_LARGE = 'FRAME_TOO_LARGE',
  MALFORMED = 'MALFORMED',
  UNKNOWN_SHARD = 'UNKNOWN_SHARD',
  SHAPE_MISMATCH = 'SHAPE_MISMATCH',
  INSUFFICIENT_CAPACITY = 'INSUFFICIENT_CAPACITY',
  HASH_MISMATCH = 'HASH_MISMATCH',
  TOO_MANY_CHUNKS = 'TOO_MANY_CHUNKS',
  BATCH_TOO_LARGE = 'BATCH_TOO_LARGE',
  BUSY = 'BUSY',
  TIMEOUT = 'TIMEOUT',
  INTERNAL = 'INTERNAL',
  LIMITED_CONNECTION = 'LIMITED_CONNECTION',
  NON_FINITE_VALUE = 'NON_FINITE_VALUE',
  CHUNK_OUT_OF_ORDER = 'CHUNK_OUT_OF_ORDER',
  INCOMPLETE_UPLOAD = 'INCOMPLETE_UPLOAD',
  DUPLICATE_SHARD = 'DUPLICATE_SHARD',
  UNEXPECTED_MESSAGE = 'UNEXPECTED_MESSAGE',
  DEVICE_MISMATCH = 'DEVICE_MISMATCH',
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  LEAVING = 'LEAVING'
}

enum __ErrorCodeValues {
  UNSPECIFIED = 0,
  FRAME_TOO_LARGE = 1,
  MALFORMED = 2,
  UNKNOWN_SHARD = 3,
  SHAPE_MISMATCH = 4,
  INSUFFICIENT_CAPACITY = 5,
  HASH_MISMATCH = 6,
  TOO_MANY_CHUNKS = 7,
  BATCH_TOO_LARGE = 8,
  BUSY = 9,
  TIMEOUT = 10,
  INTERNAL = 11,
  LIMITED_CONNECTION = 12,
  NON_FINITE_VALUE = 13,
  CHUNK_OUT_OF_ORDER = 14,
  INCOMPLETE_UPLOAD = 15,
  DUPLICATE_SHARD = 16,
  UNEXPECTED_MESSAGE = 17,
  DEVICE_MISMATCH = 18,
  QUOTA_EXCEEDED = 19,
  LEAVING = 20
}

export namespace ErrorCode {
  export const codec = (): Codec<ErrorCode> => {
    return enumeration<ErrorCode>(__ErrorCodeValues)
  }
}

export interface ProgramBegin {
  shardId: string
  rows: number
  cols: number
  devicePreset: string
  seedNumber?: number
  seedText?: string
  tSeconds?: number
  totalChunks: number
  chunkSizeBytes: number
  contentSha256: Uint8Array<ArrayBuffer>
}

export namespace ProgramBegin {
  let _codec: Codec<ProgramBegin>

  export const codec = (): Codec<ProgramBegin> => {
    if (_codec == null) {
      _codec = message<ProgramBegin>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.seedText != null) {
          obj.seedNumber = undefined
        }

        if (obj.seedNumber != null) {
          obj.seedText = undefined
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(10)
          w.string(obj.shardId)
        }

        if ((obj.rows != null && obj.rows !== 0)) {
          w.uint32(16)
          w.uint32(obj.rows)
        }

        if ((obj.cols != null && obj.cols !== 0)) {
          w.uint32(24)
          w.uint32(obj.cols)
        }

        if ((obj.devicePreset != null && obj.devicePreset !== '')) {
          w.uint32(34)
          w.string(obj.devicePreset)
        }

        if (obj.seedNumber != null) {
          w.uint32(41)
          w.double(obj.seedNumber)
        }

        if (obj.seedText != null) {
          w.uint32(50)
          w.string(obj.seedText)
        }

        if (obj.tSeconds != null) {
          w.uint32(57)
          w.double(obj.tSeconds)
        }

        if ((obj.totalChunks != null && obj.totalChunks !== 0)) {
          w.uint32(64)
          w.uint32(obj.totalChunks)
        }

        if ((obj.chunkSizeBytes != null && obj.chunkSizeBytes !== 0)) {
          w.uint32(72)
          w.uint32(obj.chunkSizeBytes)
        }

        if ((obj.contentSha256 != null && obj.contentSha256.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.contentSha256)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardId: '',
          rows: 0,
          cols: 0,
          devicePreset: '',
          totalChunks: 0,
          chunkSizeBytes: 0,
          contentSha256: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shardId = reader.string()
              break
            }
            case 2: {
              obj.rows = reader.uint32()
              break
            }
            case 3: {
              obj.cols = reader.uint32()
              break
            }
            case 4: {
              obj.devicePreset = reader.string()
              break
            }
            case 5: {
              obj.seedNumber = reader.double()
              break
            }
            case 6: {
              obj.seedText = reader.string()
              break
            }
            case 7: {
              obj.tSeconds = reader.double()
              break
            }
            case 8: {
              obj.totalChunks = reader.uint32()
              break
            }
            case 9: {
              obj.chunkSizeBytes = reader.uint32()
              break
            }
            case 10: {
              obj.contentSha256 = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.seedText != null) {
          delete obj.seedNumber
        }

        if (obj.seedNumber != null) {
          delete obj.seedText
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.rows`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.cols`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.devicePreset`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.seedNumber`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.seedText`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.tSeconds`,
                value: reader.double()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.totalChunks`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.chunkSizeBytes`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.contentSha256`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProgramBeginShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export interface ProgramBeginRowsFieldEvent {
    field: '$.rows'
    value: number
  }

  export interface ProgramBeginColsFieldEvent {
    field: '$.cols'
    value: number
  }

  export interface ProgramBeginDevicePresetFieldEvent {
    field: '$.devicePreset'
    value: string
  }

  export interface ProgramBeginSeedNumberFieldEvent {
    field: '$.seedNumber'
    value: number
  }

  export interface ProgramBeginSeedTextFieldEvent {
    field: '$.seedText'
    value: string
  }

  export interface ProgramBeginTSecondsFieldEvent {
    field: '$.tSeconds'
    value: number
  }

  export interface ProgramBeginTotalChunksFieldEvent {
    field: '$.totalChunks'
    value: number
  }

  export interface ProgramBeginChunkSizeBytesFieldEvent {
    field: '$.chunkSizeBytes'
    value: number
  }

  export interface ProgramBeginContentSha256FieldEvent {
    field: '$.contentSha256'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ProgramBegin>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProgramBegin.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramBegin>): ProgramBegin {
    return decodeMessage(buf, ProgramBegin.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramBegin>): Generator<ProgramBeginShardIdFieldEvent | ProgramBeginRowsFieldEvent | ProgramBeginColsFieldEvent | ProgramBeginDevicePresetFieldEvent | ProgramBeginSeedNumberFieldEvent | ProgramBeginSeedTextFieldEvent | ProgramBeginTSecondsFieldEvent | ProgramBeginTotalChunksFieldEvent | ProgramBeginChunkSizeBytesFieldEvent | ProgramBeginContentSha256FieldEvent> {
    return streamMessage(buf, ProgramBegin.codec(), opts)
  }
}

export interface ProgramChunk {
  index: number
  data: Uint8Array<ArrayBuffer>
}

export namespace ProgramChunk {
  let _codec: Codec<ProgramChunk>

  export const codec = (): Codec<ProgramChunk> => {
    if (_codec == null) {
      _codec = message<ProgramChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.data = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProgramChunkIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface ProgramChunkDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ProgramChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProgramChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramChunk>): ProgramChunk {
    return decodeMessage(buf, ProgramChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramChunk>): Generator<ProgramChunkIndexFieldEvent | ProgramChunkDataFieldEvent> {
    return streamMessage(buf, ProgramChunk.codec(), opts)
  }
}

export interface ProgramCommit {
  shardId: string
}

export namespace ProgramCommit {
  let _codec: Codec<ProgramCommit>

  export const codec = (): Codec<ProgramCommit> => {
    if (_codec == null) {
      _codec = message<ProgramCommit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(10)
          w.string(obj.shardId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shardId = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProgramCommitShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export function encode (obj: Partial<ProgramCommit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProgramCommit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramCommit>): ProgramCommit {
    return decodeMessage(buf, ProgramCommit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramCommit>): Generator<ProgramCommitShardIdFieldEvent> {
    return streamMessage(buf, ProgramCommit.codec(), opts)
  }
}

export interface ExecuteRequest {
  requestId: number
  shardId: string
  batch: number
  rows: number
  input: Uint8Array<ArrayBuffer>
  tSeconds?: number
  driftCompensation?: boolean
  noiseKeyNumber?: number
  noiseKeyText?: string
}

export namespace ExecuteRequest {
  let _codec: Codec<ExecuteRequest>

  export const codec = (): Codec<ExecuteRequest> => {
    if (_codec == null) {
      _codec = message<ExecuteRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }



        if (obj.noiseKeyText != null) {
          obj.noiseKeyNumber = undefined
        }

        if (obj.noiseKeyNumber != null) {
          obj.noiseKeyText = undefined
        }

        if ((obj.requestId != null && obj.requestId !== 0)) {
          w.uint32(8)
          w.uint32(obj.requestId)
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(18)
          w.string(obj.shardId)
        }

        if ((obj.batch != null && obj.batch !== 0)) {
          w.uint32(24)
          w.uint32(obj.batch)
        }

        if ((obj.rows != null && obj.rows !== 0)) {
          w.uint32(32)
          w.uint32(obj.rows)
        }

        if ((obj.input != null && obj.input.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.input)
        }

        if (obj.tSeconds != null) {
          w.uint32(49)
          w.double(obj.tSeconds)
        }

        if (obj.driftCompensation != null) {
          w.uint32(56)
          w.bool(obj.driftCompensation)
        }

        if (obj.noiseKeyNumber != null) {
          w.uint32(65)
          w.double(obj.noiseKeyNumber)
        }

        if (obj.noiseKeyText != null) {
          w.uint32(74)
          w.string(obj.noiseKeyText)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          requestId: 0,
          shardId: '',
          batch: 0,
          rows: 0,
          input: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.requestId = reader.uint32()
              break
            }
            case 2: {
              obj.shardId = reader.string()
              break
            }
            case 3: {
              obj.batch = reader.uint32()
              break
            }
            case 4: {
              obj.rows = reader.uint32()
              break
            }
            case 5: {
              obj.input = reader.bytes()
              break
            }
            case 6: {
              obj.tSeconds = reader.double()
              break
            }
            case 7: {
              obj.driftCompensation = reader.bool()
              break
            }
            case 8: {
              obj.noiseKeyNumber = reader.double()
              break
            }
            case 9: {
              obj.noiseKeyText = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }



        if (obj.noiseKeyText != null) {
          delete obj.noiseKeyNumber
        }

        if (obj.noiseKeyNumber != null) {
          delete obj.noiseKeyText
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.requestId`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.batch`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.rows`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.input`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.tSeconds`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.driftCompensation`,
                value: reader.bool()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.noiseKeyNumber`,
                value: reader.double()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.noiseKeyText`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ExecuteRequestRequestIdFieldEvent {
    field: '$.requestId'
    value: number
  }

  export interface ExecuteRequestShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export interface ExecuteRequestBatchFieldEvent {
    field: '$.batch'
    value: number
  }

  export interface ExecuteRequestRowsFieldEvent {
    field: '$.rows'
    value: number
  }

  export interface ExecuteRequestInputFieldEvent {
    field: '$.input'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ExecuteRequestTSecondsFieldEvent {
    field: '$.tSeconds'
    value: number
  }

  export interface ExecuteRequestDriftCompensationFieldEvent {
    field: '$.driftCompensation'
    value: boolean
  }

  export interface ExecuteRequestNoiseKeyNumberFieldEvent {
    field: '$.noiseKeyNumber'
    value: number
  }

  export interface ExecuteRequestNoiseKeyTextFieldEvent {
    field: '$.noiseKeyText'
    value: string
  }

  export function encode (obj: Partial<ExecuteRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ExecuteRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExecuteRequest>): ExecuteRequest {
    return decodeMessage(buf, ExecuteRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExecuteRequest>): Generator<ExecuteRequestRequestIdFieldEvent | ExecuteRequestShardIdFieldEvent | ExecuteRequestBatchFieldEvent | ExecuteRequestRowsFieldEvent | ExecuteRequestInputFieldEvent | ExecuteRequestTSecondsFieldEvent | ExecuteRequestDriftCompensationFieldEvent | ExecuteRequestNoiseKeyNumberFieldEvent | ExecuteRequestNoiseKeyTextFieldEvent> {
    return streamMessage(buf, ExecuteRequest.codec(), opts)
  }
}

export interface ReleaseRequest {
  shardId: string
}

export namespace ReleaseRequest {
  let _codec: Codec<ReleaseRequest>

  export const codec = (): Codec<ReleaseRequest> => {
    if (_codec == null) {
      _codec = message<ReleaseRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(10)
          w.string(obj.shardId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shardId = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReleaseRequestShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export function encode (obj: Partial<ReleaseRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReleaseRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReleaseRequest>): ReleaseRequest {
    return decodeMessage(buf, ReleaseRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReleaseRequest>): Generator<ReleaseRequestShardIdFieldEvent> {
    return streamMessage(buf, ReleaseRequest.codec(), opts)
  }
}

export interface StatusRequest {}

export namespace StatusRequest {
  let _codec: Codec<StatusRequest>

  export const codec = (): Codec<StatusRequest> => {
    if (_codec == null) {
      _codec = message<StatusRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<StatusRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StatusRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusRequest>): StatusRequest {
    return decodeMessage(buf, StatusRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusRequest>): Generator<{}> {
    return streamMessage(buf, StatusRequest.codec(), opts)
  }
}

export interface KeepAliveRequest {
  shardIds: string[]
}

export namespace KeepAliveRequest {
  let _codec: Codec<KeepAliveRequest>

  export const codec = (): Codec<KeepAliveRequest> => {
    if (_codec == null) {
      _codec = message<KeepAliveRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.shardIds != null && obj.shardIds.length > 0) {
          for (const value of obj.shardIds) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardIds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.shardIds != null && obj.shardIds.length === opts.limits.shardIds) {
                throw new MaxLengthError('Decode error - repeated field "shardIds" had too many elements')
              }

              obj.shardIds.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          shardIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.shardIds != null && obj.shardIds === opts.limits.shardIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "shardIds" had too many elements')
              }

              yield {
                field: `${prefix}.shardIds[]`,
                index: obj.shardIds,
                value: reader.string()
              }

              obj.shardIds++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface KeepAliveRequestShardIdsFieldEvent {
    field: '$.shardIds[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<KeepAliveRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeepAliveRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeepAliveRequest>): KeepAliveRequest {
    return decodeMessage(buf, KeepAliveRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeepAliveRequest>): Generator<KeepAliveRequestShardIdsFieldEvent> {
    return streamMessage(buf, KeepAliveRequest.codec(), opts)
  }
}

export interface HandOverRequest {
  shardId: string
  newOwner: string
}

export namespace HandOverRequest {
  let _codec: Codec<HandOverRequest>

  export const codec = (): Codec<HandOverRequest> => {
    if (_codec == null) {
      _codec = message<HandOverRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(10)
          w.string(obj.shardId)
        }

        if ((obj.newOwner != null && obj.newOwner !== '')) {
          w.uint32(18)
          w.string(obj.newOwner)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardId: '',
          newOwner: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shardId = reader.string()
              break
            }
            case 2: {
              obj.newOwner = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.newOwner`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HandOverRequestShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export interface HandOverRequestNewOwnerFieldEvent {
    field: '$.newOwner'
    value: string
  }

  export function encode (obj: Partial<HandOverRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HandOverRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandOverRequest>): HandOverRequest {
    return decodeMessage(buf, HandOverRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandOverRequest>): Generator<HandOverRequestShardIdFieldEvent | HandOverRequestNewOwnerFieldEvent> {
    return streamMessage(buf, HandOverRequest.codec(), opts)
  }
}

export interface ShardRequest {
  programBegin?: ProgramBegin
  programChunk?: ProgramChunk
  programCommit?: ProgramCommit
  execute?: ExecuteRequest
  release?: ReleaseRequest
  status?: StatusRequest
  keepAlive?: KeepAliveRequest
  handOver?: HandOverRequest
}

export namespace ShardRequest {
  let _codec: Codec<ShardRequest>

  export const codec = (): Codec<ShardRequest> => {
    if (_codec == null) {
      _codec = message<ShardRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.handOver != null) {
          obj.keepAlive = undefined
          obj.status = undefined
          obj.release = undefined
          obj.execute = undefined
          obj.programCommit = undefined
          obj.programChunk = undefined
          obj.programBegin = undefined
        }

        if (obj.keepAlive != null) {
          obj.handOver = undefined
          obj.status = undefined
          obj.release = undefined
          obj.execute = undefined
          obj.programCommit = undefined
          obj.programChunk = undefined
          obj.programBegin = undefined
        }

        if (obj.status != null) {
          obj.handOver = undefined
          obj.keepAlive = undefined
          obj.release = undefined
          obj.execute = undefined
          obj.programCommit = undefined
          obj.programChunk = undefined
          obj.programBegin = undefined
        }

        if (obj.release != null) {
          obj.handOver = undefined
          obj.keepAlive = undefined
          obj.status = undefined
          obj.execute = undefined
          obj.programCommit = undefined
          obj.programChunk = undefined
          obj.programBegin = undefined
        }

        if (obj.execute != null) {
          obj.handOver = undefined
          obj.keepAlive = undefined
          obj.status = undefined
          obj.release = undefined
          obj.programCommit = undefined
          obj.programChunk = undefined
          obj.programBegin = undefined
        }

        if (obj.programCommit != null) {
          obj.handOver = undefined
          obj.keepAlive = undefined
          obj.status = undefined
          obj.release = undefined
          obj.execute = undefined
          obj.programChunk = undefined
          obj.programBegin = undefined
        }

        if (obj.programChunk != null) {
          obj.handOver = undefined
          obj.keepAlive = undefined
          obj.status = undefined
          obj.release = undefined
          obj.execute = undefined
          obj.programCommit = undefined
          obj.programBegin = undefined
        }

        if (obj.programBegin != null) {
          obj.handOver = undefined
          obj.keepAlive = undefined
          obj.status = undefined
          obj.release = undefined
          obj.execute = undefined
          obj.programCommit = undefined
          obj.programChunk = undefined
        }

        if (obj.programBegin != null) {
          w.uint32(10)
          ProgramBegin.codec().encode(obj.programBegin, w)
        }

        if (obj.programChunk != null) {
          w.uint32(18)
          ProgramChunk.codec().encode(obj.programChunk, w)
        }

        if (obj.programCommit != null) {
          w.uint32(26)
          ProgramCommit.codec().encode(obj.programCommit, w)
        }

        if (obj.execute != null) {
          w.uint32(34)
          ExecuteRequest.codec().encode(obj.execute, w)
        }

        if (obj.release != null) {
          w.uint32(42)
          ReleaseRequest.codec().encode(obj.release, w)
        }

        if (obj.status != null) {
          w.uint32(50)
          StatusRequest.codec().encode(obj.status, w)
        }

        if (obj.keepAlive != null) {
          w.uint32(58)
          KeepAliveRequest.codec().encode(obj.keepAlive, w)
        }

        if (obj.handOver != null) {
          w.uint32(66)
          HandOverRequest.codec().encode(obj.handOver, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.programBegin = ProgramBegin.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.programBegin
              })
              break
            }
            case 2: {
              obj.programChunk = ProgramChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.programChunk
              })
              break
            }
            case 3: {
              obj.programCommit = ProgramCommit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.programCommit
              })
              break
            }
            case 4: {
              obj.execute = ExecuteRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.execute
              })
              break
            }
            case 5: {
              obj.release = ReleaseRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.release
              })
              break
            }
            case 6: {
              obj.status = StatusRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.status
              })
              break
            }
            case 7: {
              obj.keepAlive = KeepAliveRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.keepAlive
              })
              break
            }
            case 8: {
              obj.handOver = HandOverRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.handOver
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.handOver != null) {
          delete obj.keepAlive
          delete obj.status
          delete obj.release
          delete obj.execute
          delete obj.programCommit
          delete obj.programChunk
          delete obj.programBegin
        }

        if (obj.keepAlive != null) {
          delete obj.handOver
          delete obj.status
          delete obj.release
          delete obj.execute
          delete obj.programCommit
          delete obj.programChunk
          delete obj.programBegin
        }

        if (obj.status != null) {
          delete obj.handOver
          delete obj.keepAlive
          delete obj.release
          delete obj.execute
          delete obj.programCommit
          delete obj.programChunk
          delete obj.programBegin
        }

        if (obj.release != null) {
          delete obj.handOver
          delete obj.keepAlive
          delete obj.status
          delete obj.execute
          delete obj.programCommit
          delete obj.programChunk
          delete obj.programBegin
        }

        if (obj.execute != null) {
          delete obj.handOver
          delete obj.keepAlive
          delete obj.status
          delete obj.release
          delete obj.programCommit
          delete obj.programChunk
          delete obj.programBegin
        }

        if (obj.programCommit != null) {
          delete obj.handOver
          delete obj.keepAlive
          delete obj.status
          delete obj.release
          delete obj.execute
          delete obj.programChunk
          delete obj.programBegin
        }

        if (obj.programChunk != null) {
          delete obj.handOver
          delete obj.keepAlive
          delete obj.status
          delete obj.release
          delete obj.execute
          delete obj.programCommit
          delete obj.programBegin
        }

        if (obj.programBegin != null) {
          delete obj.handOver
          delete obj.keepAlive
          delete obj.status
          delete obj.release
          delete obj.execute
          delete obj.programCommit
          delete obj.programChunk
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * ProgramBegin.codec().stream(reader, reader.uint32(), `${prefix}.programBegin`, {
                limits: opts.limits?.programBegin
              })

              break
            }
            case 2: {
              yield * ProgramChunk.codec().stream(reader, reader.uint32(), `${prefix}.programChunk`, {
                limits: opts.limits?.programChunk
              })

              break
            }
            case 3: {
              yield * ProgramCommit.codec().stream(reader, reader.uint32(), `${prefix}.programCommit`, {
                limits: opts.limits?.programCommit
              })

              break
            }
            case 4: {
              yield * ExecuteRequest.codec().stream(reader, reader.uint32(), `${prefix}.execute`, {
                limits: opts.limits?.execute
              })

              break
            }
            case 5: {
              yield * ReleaseRequest.codec().stream(reader, reader.uint32(), `${prefix}.release`, {
                limits: opts.limits?.release
              })

              break
            }
            case 6: {
              yield * StatusRequest.codec().stream(reader, reader.uint32(), `${prefix}.status`, {
                limits: opts.limits?.status
              })

              break
            }
            case 7: {
              yield * KeepAliveRequest.codec().stream(reader, reader.uint32(), `${prefix}.keepAlive`, {
                limits: opts.limits?.keepAlive
              })

              break
            }
            case 8: {
              yield * HandOverRequest.codec().stream(reader, reader.uint32(), `${prefix}.handOver`, {
                limits: opts.limits?.handOver
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ShardRequestProgramBeginShardIdFieldEvent {
    field: '$.programBegin.shardId'
    value: string
  }

  export interface ShardRequestProgramBeginRowsFieldEvent {
    field: '$.programBegin.rows'
    value: number
  }

  export interface ShardRequestProgramBeginColsFieldEvent {
    field: '$.programBegin.cols'
    value: number
  }

  export interface ShardRequestProgramBeginDevicePresetFieldEvent {
    field: '$.programBegin.devicePreset'
    value: string
  }

  export interface ShardRequestProgramBeginSeedNumberFieldEvent {
    field: '$.programBegin.seedNumber'
    value: number
  }

  export interface ShardRequestProgramBeginSeedTextFieldEvent {
    field: '$.programBegin.seedText'
    value: string
  }

  export interface ShardRequestProgramBeginTSecondsFieldEvent {
    field: '$.programBegin.tSeconds'
    value: number
  }

  export interface ShardRequestProgramBeginTotalChunksFieldEvent {
    field: '$.programBegin.totalChunks'
    value: number
  }

  export interface ShardRequestProgramBeginChunkSizeBytesFieldEvent {
    field: '$.programBegin.chunkSizeBytes'
    value: number
  }

  export interface ShardRequestProgramBeginContentSha256FieldEvent {
    field: '$.programBegin.contentSha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShardRequestProgramChunkIndexFieldEvent {
    field: '$.programChunk.index'
    value: number
  }

  export interface ShardRequestProgramChunkDataFieldEvent {
    field: '$.programChunk.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShardRequestProgramCommitShardIdFieldEvent {
    field: '$.programCommit.shardId'
    value: string
  }

  export interface ShardRequestExecuteRequestIdFieldEvent {
    field: '$.execute.requestId'
    value: number
  }

  export interface ShardRequestExecuteShardIdFieldEvent {
    field: '$.execute.shardId'
    value: string
  }

  export interface ShardRequestExecuteBatchFieldEvent {
    field: '$.execute.batch'
    value: number
  }

  export interface ShardRequestExecuteRowsFieldEvent {
    field: '$.execute.rows'
    value: number
  }

  export interface ShardRequestExecuteInputFieldEvent {
    field: '$.execute.input'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShardRequestExecuteTSecondsFieldEvent {
    field: '$.execute.tSeconds'
    value: number
  }

  export interface ShardRequestExecuteDriftCompensationFieldEvent {
    field: '$.execute.driftCompensation'
    value: boolean
  }

  export interface ShardRequestExecuteNoiseKeyNumberFieldEvent {
    field: '$.execute.noiseKeyNumber'
    value: number
  }

  export interface ShardRequestExecuteNoiseKeyTextFieldEvent {
    field: '$.execute.noiseKeyText'
    value: string
  }

  export interface ShardRequestReleaseShardIdFieldEvent {
    field: '$.release.shardId'
    value: string
  }

  export interface ShardRequestKeepAliveShardIdsFieldEvent {
    field: '$.keepAlive.shardIds[]'
    index: number
    value: string
  }

  export interface ShardRequestHandOverShardIdFieldEvent {
    field: '$.handOver.shardId'
    value: string
  }

  export interface ShardRequestHandOverNewOwnerFieldEvent {
    field: '$.handOver.newOwner'
    value: string
  }

  export function encode (obj: Partial<ShardRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ShardRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShardRequest>): ShardRequest {
    return decodeMessage(buf, ShardRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShardRequest>): Generator<ShardRequestProgramBeginShardIdFieldEvent | ShardRequestProgramBeginRowsFieldEvent | ShardRequestProgramBeginColsFieldEvent | ShardRequestProgramBeginDevicePresetFieldEvent | ShardRequestProgramBeginSeedNumberFieldEvent | ShardRequestProgramBeginSeedTextFieldEvent | ShardRequestProgramBeginTSecondsFieldEvent | ShardRequestProgramBeginTotalChunksFieldEvent | ShardRequestProgramBeginChunkSizeBytesFieldEvent | ShardRequestProgramBeginContentSha256FieldEvent | ShardRequestProgramChunkIndexFieldEvent | ShardRequestProgramChunkDataFieldEvent | ShardRequestProgramCommitShardIdFieldEvent | ShardRequestExecuteRequestIdFieldEvent | ShardRequestExecuteShardIdFieldEvent | ShardRequestExecuteBatchFieldEvent | ShardRequestExecuteRowsFieldEvent | ShardRequestExecuteInputFieldEvent | ShardRequestExecuteTSecondsFieldEvent | ShardRequestExecuteDriftCompensationFieldEvent | ShardRequestExecuteNoiseKeyNumberFieldEvent | ShardRequestExecuteNoiseKeyTextFieldEvent | ShardRequestReleaseShardIdFieldEvent | ShardRequestKeepAliveShardIdsFieldEvent | ShardRequestHandOverShardIdFieldEvent | ShardRequestHandOverNewOwnerFieldEvent> {
    return streamMessage(buf, ShardRequest.codec(), opts)
  }
}

export interface ProgramReady {
  shardId: string
  tilesReserved: number
}

export namespace ProgramReady {
  let _codec: Codec<ProgramReady>

  export const codec = (): Codec<ProgramReady> => {
    if (_codec == null) {
      _codec = message<ProgramReady>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(10)
          w.string(obj.shardId)
        }

        if ((obj.tilesReserved != null && obj.tilesReserved !== 0)) {
          w.uint32(16)
          w.uint32(obj.tilesReserved)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardId: '',
          tilesReserved: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shardId = reader.string()
              break
            }
            case 2: {
              obj.tilesReserved = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tilesReserved`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProgramReadyShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export interface ProgramReadyTilesReservedFieldEvent {
    field: '$.tilesReserved'
    value: number
  }

  export function encode (obj: Partial<ProgramReady>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProgramReady.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramReady>): ProgramReady {
    return decodeMessage(buf, ProgramReady.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramReady>): Generator<ProgramReadyShardIdFieldEvent | ProgramReadyTilesReservedFieldEvent> {
    return streamMessage(buf, ProgramReady.codec(), opts)
  }
}

export interface ProgramCommitted {
  shardId: string
  tilesUsed: number
  contentSha256: Uint8Array<ArrayBuffer>
}

export namespace ProgramCommitted {
  let _codec: Codec<ProgramCommitted>

  export const codec = (): Codec<ProgramCommitted> => {
    if (_codec == null) {
      _codec = message<ProgramCommitted>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(10)
          w.string(obj.shardId)
        }

        if ((obj.tilesUsed != null && obj.tilesUsed !== 0)) {
          w.uint32(16)
          w.uint32(obj.tilesUsed)
        }

        if ((obj.contentSha256 != null && obj.contentSha256.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.contentSha256)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardId: '',
          tilesUsed: 0,
          contentSha256: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shardId = reader.string()
              break
            }
            case 2: {
              obj.tilesUsed = reader.uint32()
              break
            }
            case 3: {
              obj.contentSha256 = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tilesUsed`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.contentSha256`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProgramCommittedShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export interface ProgramCommittedTilesUsedFieldEvent {
    field: '$.tilesUsed'
    value: number
  }

  export interface ProgramCommittedContentSha256FieldEvent {
    field: '$.contentSha256'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ProgramCommitted>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProgramCommitted.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramCommitted>): ProgramCommitted {
    return decodeMessage(buf, ProgramCommitted.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProgramCommitted>): Generator<ProgramCommittedShardIdFieldEvent | ProgramCommittedTilesUsedFieldEvent | ProgramCommittedContentSha256FieldEvent> {
    return streamMessage(buf, ProgramCommitted.codec(), opts)
  }
}

export interface ExecuteResult {
  requestId: number
  shardId: string
  batch: number
  cols: number
  output: Uint8Array<ArrayBuffer>
  deviceTimeNs: number
  energyPj: number
  macs: number
}

export namespace ExecuteResult {
  let _codec: Codec<ExecuteResult>

  export const codec = (): Codec<ExecuteResult> => {
    if (_codec == null) {
      _codec = message<ExecuteResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.requestId != null && obj.requestId !== 0)) {
          w.uint32(8)
          w.uint32(obj.requestId)
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(18)
          w.string(obj.shardId)
        }

        if ((obj.batch != null && obj.batch !== 0)) {
          w.uint32(24)
          w.uint32(obj.batch)
        }

        if ((obj.cols != null && obj.cols !== 0)) {
          w.uint32(32)
          w.uint32(obj.cols)
        }

        if ((obj.output != null && obj.output.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.output)
        }

        if ((obj.deviceTimeNs != null && obj.deviceTimeNs !== 0)) {
          w.uint32(49)
          w.double(obj.deviceTimeNs)
        }

        if ((obj.energyPj != null && obj.energyPj !== 0)) {
          w.uint32(57)
          w.double(obj.energyPj)
        }

        if ((obj.macs != null && obj.macs !== 0)) {
          w.uint32(65)
          w.double(obj.macs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          requestId: 0,
          shardId: '',
          batch: 0,
          cols: 0,
          output: uint8ArrayAlloc(0),
          deviceTimeNs: 0,
          energyPj: 0,
          macs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.requestId = reader.uint32()
              break
            }
            case 2: {
              obj.shardId = reader.string()
              break
            }
            case 3: {
              obj.batch = reader.uint32()
              break
            }
            case 4: {
              obj.cols = reader.uint32()
              break
            }
            case 5: {
              obj.output = reader.bytes()
              break
            }
            case 6: {
              obj.deviceTimeNs = reader.double()
              break
            }
            case 7: {
              obj.energyPj = reader.double()
              break
            }
            case 8: {
              obj.macs = reader.double()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.requestId`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.batch`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.cols`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.output`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.deviceTimeNs`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.energyPj`,
                value: reader.double()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.macs`,
                value: reader.double()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ExecuteResultRequestIdFieldEvent {
    field: '$.requestId'
    value: number
  }

  export interface ExecuteResultShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export interface ExecuteResultBatchFieldEvent {
    field: '$.batch'
    value: number
  }

  export interface ExecuteResultColsFieldEvent {
    field: '$.cols'
    value: number
  }

  export interface ExecuteResultOutputFieldEvent {
    field: '$.output'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ExecuteResultDeviceTimeNsFieldEvent {
    field: '$.deviceTimeNs'
    value: number
  }

  export interface ExecuteResultEnergyPjFieldEvent {
    field: '$.energyPj'
    value: number
  }

  export interface ExecuteResultMacsFieldEvent {
    field: '$.macs'
    value: number
  }

  export function encode (obj: Partial<ExecuteResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ExecuteResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExecuteResult>): ExecuteResult {
    return decodeMessage(buf, ExecuteResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExecuteResult>): Generator<ExecuteResultRequestIdFieldEvent | ExecuteResultShardIdFieldEvent | ExecuteResultBatchFieldEvent | ExecuteResultColsFieldEvent | ExecuteResultOutputFieldEvent | ExecuteResultDeviceTimeNsFieldEvent | ExecuteResultEnergyPjFieldEvent | ExecuteResultMacsFieldEvent> {
    return streamMessage(buf, ExecuteResult.codec(), opts)
  }
}

export interface Released {
  shardId: string
  tilesFreed: number
}

export namespace Released {
  let _codec: Codec<Released>

  export const codec = (): Codec<Released> => {
    if (_codec == null) {
      _codec = message<Released>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(10)
          w.string(obj.shardId)
        }

        if ((obj.tilesFreed != null && obj.tilesFreed !== 0)) {
          w.uint32(16)
          w.uint32(obj.tilesFreed)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardId: '',
          tilesFreed: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shardId = reader.string()
              break
            }
            case 2: {
              obj.tilesFreed = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tilesFreed`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReleasedShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export interface ReleasedTilesFreedFieldEvent {
    field: '$.tilesFreed'
    value: number
  }

  export function encode (obj: Partial<Released>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Released.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Released>): Released {
    return decodeMessage(buf, Released.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Released>): Generator<ReleasedShardIdFieldEvent | ReleasedTilesFreedFieldEvent> {
    return streamMessage(buf, Released.codec(), opts)
  }
}

export interface Status {
  tilesTotal: number
  tilesFree: number
  shardsHeld: number
  queueDepth: number
  inFlight: number
  devicePreset: string
  tileRows: number
  tileCols: number
}

export namespace Status {
  let _codec: Codec<Status>

  export const codec = (): Codec<Status> => {
    if (_codec == null) {
      _codec = message<Status>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.tilesTotal != null && obj.tilesTotal !== 0)) {
          w.uint32(8)
          w.uint32(obj.tilesTotal)
        }

        if ((obj.tilesFree != null && obj.tilesFree !== 0)) {
          w.uint32(16)
          w.uint32(obj.tilesFree)
        }

        if ((obj.shardsHeld != null && obj.shardsHeld !== 0)) {
          w.uint32(24)
          w.uint32(obj.shardsHeld)
        }

        if ((obj.queueDepth != null && obj.queueDepth !== 0)) {
          w.uint32(32)
          w.uint32(obj.queueDepth)
        }

        if ((obj.inFlight != null && obj.inFlight !== 0)) {
          w.uint32(40)
          w.uint32(obj.inFlight)
        }

        if ((obj.devicePreset != null && obj.devicePreset !== '')) {
          w.uint32(50)
          w.string(obj.devicePreset)
        }

        if ((obj.tileRows != null && obj.tileRows !== 0)) {
          w.uint32(56)
          w.uint32(obj.tileRows)
        }

        if ((obj.tileCols != null && obj.tileCols !== 0)) {
          w.uint32(64)
          w.uint32(obj.tileCols)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tilesTotal: 0,
          tilesFree: 0,
          shardsHeld: 0,
          queueDepth: 0,
          inFlight: 0,
          devicePreset: '',
          tileRows: 0,
          tileCols: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.tilesTotal = reader.uint32()
              break
            }
            case 2: {
              obj.tilesFree = reader.uint32()
              break
            }
            case 3: {
              obj.shardsHeld = reader.uint32()
              break
            }
            case 4: {
              obj.queueDepth = reader.uint32()
              break
            }
            case 5: {
              obj.inFlight = reader.uint32()
              break
            }
            case 6: {
              obj.devicePreset = reader.string()
              break
            }
            case 7: {
              obj.tileRows = reader.uint32()
              break
            }
            case 8: {
              obj.tileCols = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.tilesTotal`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tilesFree`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.shardsHeld`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.queueDepth`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.inFlight`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.devicePreset`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.tileRows`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.tileCols`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StatusTilesTotalFieldEvent {
    field: '$.tilesTotal'
    value: number
  }

  export interface StatusTilesFreeFieldEvent {
    field: '$.tilesFree'
    value: number
  }

  export interface StatusShardsHeldFieldEvent {
    field: '$.shardsHeld'
    value: number
  }

  export interface StatusQueueDepthFieldEvent {
    field: '$.queueDepth'
    value: number
  }

  export interface StatusInFlightFieldEvent {
    field: '$.inFlight'
    value: number
  }

  export interface StatusDevicePresetFieldEvent {
    field: '$.devicePreset'
    value: string
  }

  export interface StatusTileRowsFieldEvent {
    field: '$.tileRows'
    value: number
  }

  export interface StatusTileColsFieldEvent {
    field: '$.tileCols'
    value: number
  }

  export function encode (obj: Partial<Status>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Status.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Status {
    return decodeMessage(buf, Status.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Generator<StatusTilesTotalFieldEvent | StatusTilesFreeFieldEvent | StatusShardsHeldFieldEvent | StatusQueueDepthFieldEvent | StatusInFlightFieldEvent | StatusDevicePresetFieldEvent | StatusTileRowsFieldEvent | StatusTileColsFieldEvent> {
    return streamMessage(buf, Status.codec(), opts)
  }
}

export interface KeptAlive {
  shardIds: string[]
  leaseMs: number
}

export namespace KeptAlive {
  let _codec: Codec<KeptAlive>

  export const codec = (): Codec<KeptAlive> => {
    if (_codec == null) {
      _codec = message<KeptAlive>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.shardIds != null && obj.shardIds.length > 0) {
          for (const value of obj.shardIds) {
            w.uint32(10)
            w.string(value)
          }
        }

        if ((obj.leaseMs != null && obj.leaseMs !== 0)) {
          w.uint32(16)
          w.uint32(obj.leaseMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardIds: [],
          leaseMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.shardIds != null && obj.shardIds.length === opts.limits.shardIds) {
                throw new MaxLengthError('Decode error - repeated field "shardIds" had too many elements')
              }

              obj.shardIds.push(reader.string())
              break
            }
            case 2: {
              obj.leaseMs = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          shardIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.shardIds != null && obj.shardIds === opts.limits.shardIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "shardIds" had too many elements')
              }

              yield {
                field: `${prefix}.shardIds[]`,
                index: obj.shardIds,
                value: reader.string()
              }

              obj.shardIds++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.leaseMs`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface KeptAliveShardIdsFieldEvent {
    field: '$.shardIds[]'
    index: number
    value: string
  }

  export interface KeptAliveLeaseMsFieldEvent {
    field: '$.leaseMs'
    value: number
  }

  export function encode (obj: Partial<KeptAlive>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeptAlive.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeptAlive>): KeptAlive {
    return decodeMessage(buf, KeptAlive.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeptAlive>): Generator<KeptAliveShardIdsFieldEvent | KeptAliveLeaseMsFieldEvent> {
    return streamMessage(buf, KeptAlive.codec(), opts)
  }
}

export interface HandedOver {
  shardId: string
  newOwner: string
  leaseMs: number
}

export namespace HandedOver {
  let _codec: Codec<HandedOver>

  export const codec = (): Codec<HandedOver> => {
    if (_codec == null) {
      _codec = message<HandedOver>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shardId != null && obj.shardId !== '')) {
          w.uint32(10)
          w.string(obj.shardId)
        }

        if ((obj.newOwner != null && obj.newOwner !== '')) {
          w.uint32(18)
          w.string(obj.newOwner)
        }

        if ((obj.leaseMs != null && obj.leaseMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.leaseMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shardId: '',
          newOwner: '',
          leaseMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shardId = reader.string()
              break
            }
            case 2: {
              obj.newOwner = reader.string()
              break
            }
            case 3: {
              obj.leaseMs = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.newOwner`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.leaseMs`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HandedOverShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export interface HandedOverNewOwnerFieldEvent {
    field: '$.newOwner'
    value: string
  }

  export interface HandedOverLeaseMsFieldEvent {
    field: '$.leaseMs'
    value: number
  }

  export function encode (obj: Partial<HandedOver>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HandedOver.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandedOver>): HandedOver {
    return decodeMessage(buf, HandedOver.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandedOver>): Generator<HandedOverShardIdFieldEvent | HandedOverNewOwnerFieldEvent | HandedOverLeaseMsFieldEvent> {
    return streamMessage(buf, HandedOver.codec(), opts)
  }
}

export interface QuotaDetail {
  resource: string
  limit: number
  requested: number
}

export namespace QuotaDetail {
  let _codec: Codec<QuotaDetail>

  export const codec = (): Codec<QuotaDetail> => {
    if (_codec == null) {
      _codec = message<QuotaDetail>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.resource != null && obj.resource !== '')) {
          w.uint32(10)
          w.string(obj.resource)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(17)
          w.double(obj.limit)
        }

        if ((obj.requested != null && obj.requested !== 0)) {
          w.uint32(25)
          w.double(obj.requested)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          resource: '',
          limit: 0,
          requested: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.resource = reader.string()
              break
            }
            case 2: {
              obj.limit = reader.double()
              break
            }
            case 3: {
              obj.requested = reader.double()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.resource`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.limit`,
                value: reader.double()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.requested`,
                value: reader.double()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface QuotaDetailResourceFieldEvent {
    field: '$.resource'
    value: string
  }

  export interface QuotaDetailLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export interface QuotaDetailRequestedFieldEvent {
    field: '$.requested'
    value: number
  }

  export function encode (obj: Partial<QuotaDetail>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, QuotaDetail.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QuotaDetail>): QuotaDetail {
    return decodeMessage(buf, QuotaDetail.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QuotaDetail>): Generator<QuotaDetailResourceFieldEvent | QuotaDetailLimitFieldEvent | QuotaDetailRequestedFieldEvent> {
    return streamMessage(buf, QuotaDetail.codec(), opts)
  }
}

export interface ErrorReply {
  code: ErrorCode
  message: string
  requestId?: number
  shardId?: string
  quota?: QuotaDetail
}

export namespace ErrorReply {
  let _codec: Codec<ErrorReply>

  export const codec = (): Codec<ErrorReply> => {
    if (_codec == null) {
      _codec = message<ErrorReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __ErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          ErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (obj.requestId != null) {
          w.uint32(24)
          w.uint32(obj.requestId)
        }

        if (obj.shardId != null) {
          w.uint32(34)
          w.string(obj.shardId)
        }

        if (obj.quota != null) {
          w.uint32(42)
          QuotaDetail.codec().encode(obj.quota, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ErrorCode.UNSPECIFIED,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = ErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.requestId = reader.uint32()
              break
            }
            case 4: {
              obj.shardId = reader.string()
              break
            }
            case 5: {
              obj.quota = QuotaDetail.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.quota
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: ErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.requestId`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.shardId`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield * QuotaDetail.codec().stream(reader, reader.uint32(), `${prefix}.quota`, {
                limits: opts.limits?.quota
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ErrorReplyCodeFieldEvent {
    field: '$.code'
    value: ErrorCode
  }

  export interface ErrorReplyMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface ErrorReplyRequestIdFieldEvent {
    field: '$.requestId'
    value: number
  }

  export interface ErrorReplyShardIdFieldEvent {
    field: '$.shardId'
    value: string
  }

  export interface ErrorReplyQuotaResourceFieldEvent {
    field: '$.quota.resource'
    value: string
  }

  export interface ErrorReplyQuotaLimitFieldEvent {
    field: '$.quota.limit'
    value: number
  }

  export interface ErrorReplyQuotaRequestedFieldEvent {
    field: '$.quota.requested'
    value: number
  }

  export function encode (obj: Partial<ErrorReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ErrorReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorReply>): ErrorReply {
    return decodeMessage(buf, ErrorReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorReply>): Generator<ErrorReplyCodeFieldEvent | ErrorReplyMessageFieldEvent | ErrorReplyRequestIdFieldEvent | ErrorReplyShardIdFieldEvent | ErrorReplyQuotaResourceFieldEvent | ErrorReplyQuotaLimitFieldEvent | ErrorReplyQuotaRequestedFieldEvent> {
    return streamMessage(buf, ErrorReply.codec(), opts)
  }
}

export interface ShardResponse {
  programReady?: ProgramReady
  programCommitted?: ProgramCommitted
  executeResult?: ExecuteResult
  released?: Released
  status?: Status
  error?: ErrorReply
  keptAlive?: KeptAlive
  handedOver?: HandedOver
}

export namespace ShardResponse {
  let _codec: Codec<ShardResponse>

  export const codec = (): Codec<ShardResponse> => {
    if (_codec == null) {
      _codec = message<ShardResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.handedOver != null) {
          obj.keptAlive = undefined
          obj.error = undefined
          obj.status = undefined
          obj.released = undefined
          obj.executeResult = undefined
          obj.programCommitted = undefined
          obj.programReady = undefined
        }

        if (obj.keptAlive != null) {
          obj.handedOver = undefined
          obj.error = undefined
          obj.status = undefined
          obj.released = undefined
          obj.executeResult = undefined
          obj.programCommitted = undefined
          obj.programReady = undefined
        }

        if (obj.error != null) {
          obj.handedOver = undefined
          obj.keptAlive = undefined
          obj.status = undefined
          obj.released = undefined
          obj.executeResult = undefined
          obj.programCommitted = undefined
          obj.programReady = undefined
        }

        if (obj.status != null) {
          obj.handedOver = undefined
          obj.keptAlive = undefined
          obj.error = undefined
          obj.released = undefined
          obj.executeResult = undefined
          obj.programCommitted = undefined
          obj.programReady = undefined
        }

        if (obj.released != null) {
          obj.handedOver = undefined
          obj.keptAlive = undefined
          obj.error = undefined
          obj.status = undefined
          obj.executeResult = undefined
          obj.programCommitted = undefined
          obj.programReady = undefined
        }

        if (obj.executeResult != null) {
          obj.handedOver = undefined
          obj.keptAlive = undefined
          obj.error = undefined
          obj.status = undefined
          obj.released = undefined
          obj.programCommitted = undefined
          obj.programReady = undefined
        }

        if (obj.programCommitted != null) {
          obj.handedOver = undefined
          obj.keptAlive = undefined
          obj.error = undefined
          obj.status = undefined
          obj.released = undefined
          obj.executeResult = undefined
          obj.programReady = undefined
        }

        if (obj.programReady != null) {
          obj.handedOver = undefined
          obj.keptAlive = undefined
          obj.error = undefined
          obj.status = undefined
          obj.released = undefined
          obj.executeResult = undefined
          obj.programCommitted = undefined
        }

        if (obj.programReady != null) {
          w.uint32(10)
          ProgramReady.codec().encode(obj.programReady, w)
        }

        if (obj.programCommitted != null) {
          w.uint32(18)
          ProgramCommitted.codec().encode(obj.programCommitted, w)
        }

        if (obj.executeResult != null) {
          w.uint32(26)
          ExecuteResult.codec().encode(obj.executeResult, w)
        }

        if (obj.released != null) {
          w.uint32(34)
          Released.codec().encode(obj.released, w)
        }

        if (obj.status != null) {
          w.uint32(42)
          Status.codec().encode(obj.status, w)
        }

        if (obj.error != null) {
          w.uint32(50)
          ErrorReply.codec().encode(obj.error, w)
        }

        if (obj.keptAlive != null) {
          w.uint32(58)
          KeptAlive.codec().encode(obj.keptAlive, w)
        }

        if (obj.handedOver != null) {
          w.uint32(66)
          HandedOver.codec().encode(obj.handedOver, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.programReady = ProgramReady.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.programReady
              })
              break
            }
            case 2: {
              obj.programCommitted = ProgramCommitted.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.programCommitted
              })
              break
            }
            case 3: {
              obj.executeResult = ExecuteResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.executeResult
              })
              break
            }
            case 4: {
              obj.released = Released.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.released
              })
              break
            }
            case 5: {
              obj.status = Status.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.status
              })
              break
            }
            case 6: {
              obj.error = ErrorReply.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 7: {
              obj.keptAlive = KeptAlive.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.keptAlive
              })
              break
            }
            case 8: {
              obj.handedOver = HandedOver.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.handedOver
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.handedOver != null) {
          delete obj.keptAlive
          delete obj.error
          delete obj.status
          delete obj.released
          delete obj.executeResult
          delete obj.programCommitted
          delete obj.programReady
        }

        if (obj.keptAlive != null) {
          delete obj.handedOver
          delete obj.error
          delete obj.status
          delete obj.released
          delete obj.executeResult
          delete obj.programCommitted
          delete obj.programReady
        }

        if (obj.error != null) {
          delete obj.handedOver
          delete obj.keptAlive
          delete obj.status
          delete obj.released
          delete obj.executeResult
          delete obj.programCommitted
          delete obj.programReady
        }

        if (obj.status != null) {
          delete obj.handedOver
          delete obj.keptAlive
          delete obj.error
          delete obj.released
          delete obj.executeResult
          delete obj.programCommitted
          delete obj.programReady
        }

        if (obj.released != null) {
          delete obj.handedOver
          delete obj.keptAlive
          delete obj.error
          delete obj.status
          delete obj.executeResult
          delete obj.programCommitted
          delete obj.programReady
        }

        if (obj.executeResult != null) {
          delete obj.handedOver
          delete obj.keptAlive
          delete obj.error
          delete obj.status
          delete obj.released
          delete obj.programCommitted
          delete obj.programReady
        }

        if (obj.programCommitted != null) {
          delete obj.handedOver
          delete obj.keptAlive
          delete obj.error
          delete obj.status
          delete obj.released
          delete obj.executeResult
          delete obj.programReady
        }

        if (obj.programReady != null) {
          delete obj.handedOver
          delete obj.keptAlive
          delete obj.error
          delete obj.status
          delete obj.released
          delete obj.executeResult
          delete obj.programCommitted
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * ProgramReady.codec().stream(reader, reader.uint32(), `${prefix}.programReady`, {
                limits: opts.limits?.programReady
              })

              break
            }
            case 2: {
              yield * ProgramCommitted.codec().stream(reader, reader.uint32(), `${prefix}.programCommitted`, {
                limits: opts.limits?.programCommitted
              })

              break
            }
            case 3: {
              yield * ExecuteResult.codec().stream(reader, reader.uint32(), `${prefix}.executeResult`, {
                limits: opts.limits?.executeResult
              })

              break
            }
            case 4: {
              yield * Released.codec().stream(reader, reader.uint32(), `${prefix}.released`, {
                limits: opts.limits?.released
              })

              break
            }
            case 5: {
              yield * Status.codec().stream(reader, reader.uint32(), `${prefix}.status`, {
                limits: opts.limits?.status
              })

              break
            }
            case 6: {
              yield * ErrorReply.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 7: {
              yield * KeptAlive.codec().stream(reader, reader.uint32(), `${prefix}.keptAlive`, {
                limits: opts.limits?.keptAlive
              })

              break
            }
            case 8: {
              yield * HandedOver.codec().stream(reader, reader.uint32(), `${prefix}.handedOver`, {
                limits: opts.limits?.handedOver
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ShardResponseProgramReadyShardIdFieldEvent {
    field: '$.programReady.shardId'
    value: string
  }

  export interface ShardResponseProgramReadyTilesReservedFieldEvent {
    field: '$.programReady.tilesReserved'
    value: number
  }

  export interface ShardResponseProgramCommittedShardIdFieldEvent {
    field: '$.programCommitted.shardId'
    value: string
  }

  export interface ShardResponseProgramCommittedTilesUsedFieldEvent {
    field: '$.programCommitted.tilesUsed'
    value: number
  }

  export interface ShardResponseProgramCommittedContentSha256FieldEvent {
    field: '$.programCommitted.contentSha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShardResponseExecuteResultRequestIdFieldEvent {
    field: '$.executeResult.requestId'
    value: number
  }

  export interface ShardResponseExecuteResultShardIdFieldEvent {
    field: '$.executeResult.shardId'
    value: string
  }

  export interface ShardResponseExecuteResultBatchFieldEvent {
    field: '$.executeResult.batch'
    value: number
  }

  export interface ShardResponseExecuteResultColsFieldEvent {
    field: '$.executeResult.cols'
    value: number
  }

  export interface ShardResponseExecuteResultOutputFieldEvent {
    field: '$.executeResult.output'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShardResponseExecuteResultDeviceTimeNsFieldEvent {
    field: '$.executeResult.deviceTimeNs'
    value: number
  }

  export interface ShardResponseExecuteResultEnergyPjFieldEvent {
    field: '$.executeResult.energyPj'
    value: number
  }

  export interface ShardResponseExecuteResultMacsFieldEvent {
    field: '$.executeResult.macs'
    value: number
  }

  export interface ShardResponseReleasedShardIdFieldEvent {
    field: '$.released.shardId'
    value: string
  }

  export interface ShardResponseReleasedTilesFreedFieldEvent {
    field: '$.released.tilesFreed'
    value: number
  }

  export interface ShardResponseStatusTilesTotalFieldEvent {
    field: '$.status.tilesTotal'
    value: number
  }

  export interface ShardResponseStatusTilesFreeFieldEvent {
    field: '$.status.tilesFree'
    value: number
  }

  export interface ShardResponseStatusShardsHeldFieldEvent {
    field: '$.status.shardsHeld'
    value: number
  }

  export interface ShardResponseStatusQueueDepthFieldEvent {
    field: '$.status.queueDepth'
    value: number
  }

  export interface ShardResponseStatusInFlightFieldEvent {
    field: '$.status.inFlight'
    value: number
  }

  export interface ShardResponseStatusDevicePresetFieldEvent {
    field: '$.status.devicePreset'
    value: string
  }

  export interface ShardResponseStatusTileRowsFieldEvent {
    field: '$.status.tileRows'
    value: number
  }

  export interface ShardResponseStatusTileColsFieldEvent {
    field: '$.status.tileCols'
    value: number
  }

  export interface ShardResponseErrorCodeFieldEvent {
    field: '$.error.code'
    value: ErrorCode
  }

  export interface ShardResponseErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface ShardResponseErrorRequestIdFieldEvent {
    field: '$.error.requestId'
    value: number
  }

  export interface ShardResponseErrorShardIdFieldEvent {
    field: '$.error.shardId'
    value: string
  }

  export interface ShardResponseErrorQuotaResourceFieldEvent {
    field: '$.error.quota.resource'
    value: string
  }

  export interface ShardResponseErrorQuotaLimitFieldEvent {
    field: '$.error.quota.limit'
    value: number
  }

  export interface ShardResponseErrorQuotaRequestedFieldEvent {
    field: '$.error.quota.requested'
    value: number
  }

  export interface ShardResponseKeptAliveShardIdsFieldEvent {
    field: '$.keptAlive.shardIds[]'
    index: number
    value: string
  }

  export interface ShardResponseKeptAliveLeaseMsFieldEvent {
    field: '$.keptAlive.leaseMs'
    value: number
  }

  export interface ShardResponseHandedOverShardIdFieldEvent {
    field: '$.handedOver.shardId'
    value: string
  }

  export interface ShardResponseHandedOverNewOwnerFieldEvent {
    field: '$.handedOver.newOwner'
    value: string
  }

  export interface ShardResponseHandedOverLeaseMsFieldEvent {
    field: '$.handedOver.leaseMs'
    value: number
  }

  export function encode (obj: Partial<ShardResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ShardResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShardResponse>): ShardResponse {
    return decodeMessage(buf, ShardResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShardResponse>): Generator<ShardResponseProgramReadyShardIdFieldEvent | ShardResponseProgramReadyTilesReservedFieldEvent | ShardResponseProgramCommittedShardIdFieldEvent | ShardResponseProgramCommittedTilesUsedFieldEvent | ShardResponseProgramCommittedContentSha256FieldEvent | ShardResponseExecuteResultRequestIdFieldEvent | ShardResponseExecuteResultShardIdFieldEvent | ShardResponseExecuteResultBatchFieldEvent | ShardResponseExecuteResultColsFieldEvent | ShardResponseExecuteResultOutputFieldEvent | ShardResponseExecuteResultDeviceTimeNsFieldEvent | ShardResponseExecuteResultEnergyPjFieldEvent | ShardResponseExecuteResultMacsFieldEvent | ShardResponseReleasedShardIdFieldEvent | ShardResponseReleasedTilesFreedFieldEvent | ShardResponseStatusTilesTotalFieldEvent | ShardResponseStatusTilesFreeFieldEvent | ShardResponseStatusShardsHeldFieldEvent | ShardResponseStatusQueueDepthFieldEvent | ShardResponseStatusInFlightFieldEvent | ShardResponseStatusDevicePresetFieldEvent | ShardResponseStatusTileRowsFieldEvent | ShardResponseStatusTileColsFieldEvent | ShardResponseErrorCodeFieldEvent | ShardResponseErrorMessageFieldEvent | ShardResponseErrorRequestIdFieldEvent | ShardResponseErrorShardIdFieldEvent | ShardResponseErrorQuotaResourceFieldEvent | ShardResponseErrorQuotaLimitFieldEvent | ShardResponseErrorQuotaRequestedFieldEvent | ShardResponseKeptAliveShardIdsFieldEvent | ShardResponseKeptAliveLeaseMsFieldEvent | ShardResponseHandedOverShardIdFieldEvent | ShardResponseHandedOverNewOwnerFieldEvent | ShardResponseHandedOverLeaseMsFieldEvent> {
    return streamMessage(buf, ShardResponse.codec(), opts)
  }
}
