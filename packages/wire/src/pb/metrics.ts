import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface MetricsSample {
  queueDepth: number
  inFlight: number
  mvmLatencyP50Ms: number
  tilesFree: number
  tilesTotal: number
  sampledAtMs: number
  windowMs: number
  executesInWindow: number
}

export namespace MetricsSample {
  let _codec: Codec<MetricsSample>

  export const codec = (): Codec<MetricsSample> => {
    if (_codec == null) {
      _codec = message<MetricsSample>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.queueDepth != null && obj.queueDepth !== 0)) {
          w.uint32(8)
          w.uint32(obj.queueDepth)
        }

        if ((obj.inFlight != null && obj.inFlight !== 0)) {
          w.uint32(16)
          w.uint32(obj.inFlight)
        }

        if ((obj.mvmLatencyP50Ms != null && obj.mvmLatencyP50Ms !== 0)) {
          w.uint32(25)
          w.double(obj.mvmLatencyP50Ms)
        }

        if ((obj.tilesFree != null && obj.tilesFree !== 0)) {
          w.uint32(32)
          w.uint32(obj.tilesFree)
        }

        if ((obj.tilesTotal != null && obj.tilesTotal !== 0)) {
          w.uint32(40)
          w.uint32(obj.tilesTotal)
        }

        if ((obj.sampledAtMs != null && obj.sampledAtMs !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.sampledAtMs)
        }

        if ((obj.windowMs != null && obj.windowMs !== 0)) {
          w.uint32(56)
          w.uint32(obj.windowMs)
        }

        if ((obj.executesInWindow != null && obj.executesInWindow !== 0)) {
          w.uint32(64)
          w.uint32(obj.executesInWindow)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          queueDepth: 0,
          inFlight: 0,
          mvmLatencyP50Ms: 0,
          tilesFree: 0,
          tilesTotal: 0,
          sampledAtMs: 0,
          windowMs: 0,
          executesInWindow: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.queueDepth = reader.uint32()
              break
            }
            case 2: {
              obj.inFlight = reader.uint32()
              break
            }
            case 3: {
              obj.mvmLatencyP50Ms = reader.double()
              break
            }
            case 4: {
              obj.tilesFree = reader.uint32()
              break
            }
            case 5: {
              obj.tilesTotal = reader.uint32()
              break
            }
            case 6: {
              obj.sampledAtMs = reader.uint64Number()
              break
            }
            case 7: {
              obj.windowMs = reader.uint32()
              break
            }
            case 8: {
              obj.executesInWindow = reader.uint32()
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
                field: `${prefix}.queueDepth`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.inFlight`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.mvmLatencyP50Ms`,
                value: reader.double()
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
                field: `${prefix}.tilesTotal`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.sampledAtMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.windowMs`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.executesInWindow`,
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

  export interface MetricsSampleQueueDepthFieldEvent {
    field: '$.queueDepth'
    value: number
  }

  export interface MetricsSampleInFlightFieldEvent {
    field: '$.inFlight'
    value: number
  }

  export interface MetricsSampleMvmLatencyP50MsFieldEvent {
    field: '$.mvmLatencyP50Ms'
    value: number
  }

  export interface MetricsSampleTilesFreeFieldEvent {
    field: '$.tilesFree'
    value: number
  }

  export interface MetricsSampleTilesTotalFieldEvent {
    field: '$.tilesTotal'
    value: number
  }

  export interface MetricsSampleSampledAtMsFieldEvent {
    field: '$.sampledAtMs'
    value: number
  }

  export interface MetricsSampleWindowMsFieldEvent {
    field: '$.windowMs'
    value: number
  }

  export interface MetricsSampleExecutesInWindowFieldEvent {
    field: '$.executesInWindow'
    value: number
  }

  export function encode (obj: Partial<MetricsSample>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MetricsSample.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricsSample>): MetricsSample {
    return decodeMessage(buf, MetricsSample.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetricsSample>): Generator<MetricsSampleQueueDepthFieldEvent | MetricsSampleInFlightFieldEvent | MetricsSampleMvmLatencyP50MsFieldEvent | MetricsSampleTilesFreeFieldEvent | MetricsSampleTilesTotalFieldEvent | MetricsSampleSampledAtMsFieldEvent | MetricsSampleWindowMsFieldEvent | MetricsSampleExecutesInWindowFieldEvent> {
    return streamMessage(buf, MetricsSample.codec(), opts)
  }
}
