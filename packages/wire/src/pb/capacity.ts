import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Reachability {
  REACHABILITY_UNKNOWN = 'REACHABILITY_UNKNOWN',
  REACHABILITY_PUBLIC = 'REACHABILITY_PUBLIC',
  REACHABILITY_PRIVATE = 'REACHABILITY_PRIVATE'
}

enum __ReachabilityValues {
  REACHABILITY_UNKNOWN = 0,
  REACHABILITY_PUBLIC = 1,
  REACHABILITY_PRIVATE = 2
}

export namespace Reachability {
  export const codec = (): Codec<Reachability> => {
    return enumeration<Reachability>(__ReachabilityValues)
  }
}

export enum NatKind {
  NAT_UNKNOWN = 'NAT_UNKNOWN',
  NAT_NONE = 'NAT_NONE',
  NAT_CONE = 'NAT_CONE',
  NAT_SYMMETRIC = 'NAT_SYMMETRIC'
}

enum __NatKindValues {
  NAT_UNKNOWN = 0,
  NAT_NONE = 1,
  NAT_CONE = 2,
  NAT_SYMMETRIC = 3
}

export namespace NatKind {
  export const codec = (): Codec<NatKind> => {
    return enumeration<NatKind>(__NatKindValues)
  }
}

export interface DeviceSummary {
  preset: string
  rows: number
  cols: number
  noiseLevel: number
}

export namespace DeviceSummary {
  let _codec: Codec<DeviceSummary>

  export const codec = (): Codec<DeviceSummary> => {
    if (_codec == null) {
      _codec = message<DeviceSummary>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.preset != null && obj.preset !== '')) {
          w.uint32(10)
          w.string(obj.preset)
        }

        if ((obj.rows != null && obj.rows !== 0)) {
          w.uint32(16)
          w.uint32(obj.rows)
        }

        if ((obj.cols != null && obj.cols !== 0)) {
          w.uint32(24)
          w.uint32(obj.cols)
        }

        if ((obj.noiseLevel != null && obj.noiseLevel !== 0)) {
          w.uint32(33)
          w.double(obj.noiseLevel)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          preset: '',
          rows: 0,
          cols: 0,
          noiseLevel: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.preset = reader.string()
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
              obj.noiseLevel = reader.double()
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
                field: `${prefix}.preset`,
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
                field: `${prefix}.noiseLevel`,
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

  export interface DeviceSummaryPresetFieldEvent {
    field: '$.preset'
    value: string
  }

  export interface DeviceSummaryRowsFieldEvent {
    field: '$.rows'
    value: number
  }

  export interface DeviceSummaryColsFieldEvent {
    field: '$.cols'
    value: number
  }

  export interface DeviceSummaryNoiseLevelFieldEvent {
    field: '$.noiseLevel'
    value: number
  }

  export function encode (obj: Partial<DeviceSummary>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeviceSummary.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeviceSummary>): DeviceSummary {
    return decodeMessage(buf, DeviceSummary.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeviceSummary>): Generator<DeviceSummaryPresetFieldEvent | DeviceSummaryRowsFieldEvent | DeviceSummaryColsFieldEvent | DeviceSummaryNoiseLevelFieldEvent> {
    return streamMessage(buf, DeviceSummary.codec(), opts)
  }
}

export interface CapacityRecordBody {
  peerId: string
  device?: DeviceSummary
  tilesTotal: number
  tilesFree: number
  throughputGflopPerSecond: number
  queueDepth: number
  reachability: Reachability
  natKind: NatKind
  addresses: string[]
  sequence: number
  issuedAtMs: number
  expiresAtMs: number
  leaving: boolean
}

export namespace CapacityRecordBody {
  let _codec: Codec<CapacityRecordBody>

  export const codec = (): Codec<CapacityRecordBody> => {
    if (_codec == null) {
      _codec = message<CapacityRecordBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (obj.device != null) {
          w.uint32(18)
          DeviceSummary.codec().encode(obj.device, w)
        }

        if ((obj.tilesTotal != null && obj.tilesTotal !== 0)) {
          w.uint32(24)
          w.uint32(obj.tilesTotal)
        }

        if ((obj.tilesFree != null && obj.tilesFree !== 0)) {
          w.uint32(32)
          w.uint32(obj.tilesFree)
        }

        if ((obj.throughputGflopPerSecond != null && obj.throughputGflopPerSecond !== 0)) {
          w.uint32(41)
          w.double(obj.throughputGflopPerSecond)
        }

        if ((obj.queueDepth != null && obj.queueDepth !== 0)) {
          w.uint32(48)
          w.uint32(obj.queueDepth)
        }

        if (obj.reachability != null && __ReachabilityValues[obj.reachability] !== 0) {
          w.uint32(56)
          Reachability.codec().encode(obj.reachability, w)
        }

        if (obj.natKind != null && __NatKindValues[obj.natKind] !== 0) {
          w.uint32(64)
          NatKind.codec().encode(obj.natKind, w)
        }

        if (obj.addresses != null && obj.addresses.length > 0) {
          for (const value of obj.addresses) {
            w.uint32(74)
            w.string(value)
          }
        }

        if ((obj.sequence != null && obj.sequence !== 0)) {
          w.uint32(80)
          w.uint64Number(obj.sequence)
        }

        if ((obj.issuedAtMs != null && obj.issuedAtMs !== 0)) {
          w.uint32(88)
          w.uint64Number(obj.issuedAtMs)
        }

        if ((obj.expiresAtMs != null && obj.expiresAtMs !== 0)) {
          w.uint32(96)
          w.uint64Number(obj.expiresAtMs)
        }

        if ((obj.leaving != null && obj.leaving !== false)) {
          w.uint32(104)
          w.bool(obj.leaving)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          tilesTotal: 0,
          tilesFree: 0,
          throughputGflopPerSecond: 0,
          queueDepth: 0,
          reachability: Reachability.REACHABILITY_UNKNOWN,
          natKind: NatKind.NAT_UNKNOWN,
          addresses: [],
          sequence: 0,
          issuedAtMs: 0,
          expiresAtMs: 0,
          leaving: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.device = DeviceSummary.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.device
              })
              break
            }
            case 3: {
              obj.tilesTotal = reader.uint32()
              break
            }
            case 4: {
              obj.tilesFree = reader.uint32()
              break
            }
            case 5: {
              obj.throughputGflopPerSecond = reader.double()
              break
            }
            case 6: {
              obj.queueDepth = reader.uint32()
              break
            }
            case 7: {
              obj.reachability = Reachability.codec().decode(reader)
              break
            }
            case 8: {
              obj.natKind = NatKind.codec().decode(reader)
              break
            }
            case 9: {
              if (opts.limits?.addresses != null && obj.addresses.length === opts.limits.addresses) {
                throw new MaxLengthError('Decode error - repeated field "addresses" had too many elements')
              }

              obj.addresses.push(reader.string())
              break
            }
            case 10: {
              obj.sequence = reader.uint64Number()
              break
            }
            case 11: {
              obj.issuedAtMs = reader.uint64Number()
              break
            }
            case 12: {
              obj.expiresAtMs = reader.uint64Number()
              break
            }
            case 13: {
              obj.leaving = reader.bool()
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
          addresses: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield * DeviceSummary.codec().stream(reader, reader.uint32(), `${prefix}.device`, {
                limits: opts.limits?.device
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.tilesTotal`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.tilesFree`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.throughputGflopPerSecond`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.queueDepth`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.reachability`,
                value: Reachability.codec().decode(reader)
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.natKind`,
                value: NatKind.codec().decode(reader)
              }
              break
            }
            case 9: {
              if (opts.limits?.addresses != null && obj.addresses === opts.limits.addresses) {
                throw new MaxLengthError('Streaming decode error - repeated field "addresses" had too many elements')
              }

              yield {
                field: `${prefix}.addresses[]`,
                index: obj.addresses,
                value: reader.string()
              }

              obj.addresses++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64Number()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.issuedAtMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.expiresAtMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.leaving`,
                value: reader.bool()
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

  export interface CapacityRecordBodyPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface CapacityRecordBodyDevicePresetFieldEvent {
    field: '$.device.preset'
    value: string
  }

  export interface CapacityRecordBodyDeviceRowsFieldEvent {
    field: '$.device.rows'
    value: number
  }

  export interface CapacityRecordBodyDeviceColsFieldEvent {
    field: '$.device.cols'
    value: number
  }

  export interface CapacityRecordBodyDeviceNoiseLevelFieldEvent {
    field: '$.device.noiseLevel'
    value: number
  }

  export interface CapacityRecordBodyTilesTotalFieldEvent {
    field: '$.tilesTotal'
    value: number
  }

  export interface CapacityRecordBodyTilesFreeFieldEvent {
    field: '$.tilesFree'
    value: number
  }

  export interface CapacityRecordBodyThroughputGflopPerSecondFieldEvent {
    field: '$.throughputGflopPerSecond'
    value: number
  }

  export interface CapacityRecordBodyQueueDepthFieldEvent {
    field: '$.queueDepth'
    value: number
  }

  export interface CapacityRecordBodyReachabilityFieldEvent {
    field: '$.reachability'
    value: Reachability
  }

  export interface CapacityRecordBodyNatKindFieldEvent {
    field: '$.natKind'
    value: NatKind
  }

  export interface CapacityRecordBodyAddressesFieldEvent {
    field: '$.addresses[]'
    index: number
    value: string
  }

  export interface CapacityRecordBodySequenceFieldEvent {
    field: '$.sequence'
    value: number
  }

  export interface CapacityRecordBodyIssuedAtMsFieldEvent {
    field: '$.issuedAtMs'
    value: number
  }

  export interface CapacityRecordBodyExpiresAtMsFieldEvent {
    field: '$.expiresAtMs'
    value: number
  }

  export interface CapacityRecordBodyLeavingFieldEvent {
    field: '$.leaving'
    value: boolean
  }

  export function encode (obj: Partial<CapacityRecordBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CapacityRecordBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CapacityRecordBody>): CapacityRecordBody {
    return decodeMessage(buf, CapacityRecordBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CapacityRecordBody>): Generator<CapacityRecordBodyPeerIdFieldEvent | CapacityRecordBodyDevicePresetFieldEvent | CapacityRecordBodyDeviceRowsFieldEvent | CapacityRecordBodyDeviceColsFieldEvent | CapacityRecordBodyDeviceNoiseLevelFieldEvent | CapacityRecordBodyTilesTotalFieldEvent | CapacityRecordBodyTilesFreeFieldEvent | CapacityRecordBodyThroughputGflopPerSecondFieldEvent | CapacityRecordBodyQueueDepthFieldEvent | CapacityRecordBodyReachabilityFieldEvent | CapacityRecordBodyNatKindFieldEvent | CapacityRecordBodyAddressesFieldEvent | CapacityRecordBodySequenceFieldEvent | CapacityRecordBodyIssuedAtMsFieldEvent | CapacityRecordBodyExpiresAtMsFieldEvent | CapacityRecordBodyLeavingFieldEvent> {
    return streamMessage(buf, CapacityRecordBody.codec(), opts)
  }
}

export interface SignedCapacityRecord {
  body: Uint8Array<ArrayBuffer>
  publicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedCapacityRecord {
  let _codec: Codec<SignedCapacityRecord>

  export const codec = (): Codec<SignedCapacityRecord> => {
    if (_codec == null) {
      _codec = message<SignedCapacityRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.body)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.publicKey)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          body: uint8ArrayAlloc(0),
          publicKey: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.body = reader.bytes()
              break
            }
            case 2: {
              obj.publicKey = reader.bytes()
              break
            }
            case 3: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signature`,
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

  export interface SignedCapacityRecordBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedCapacityRecordPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedCapacityRecordSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedCapacityRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedCapacityRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedCapacityRecord>): SignedCapacityRecord {
    return decodeMessage(buf, SignedCapacityRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedCapacityRecord>): Generator<SignedCapacityRecordBodyFieldEvent | SignedCapacityRecordPublicKeyFieldEvent | SignedCapacityRecordSignatureFieldEvent> {
    return streamMessage(buf, SignedCapacityRecord.codec(), opts)
  }
}
