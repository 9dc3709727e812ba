/**
 * The few kad-dht protocol messages tessera sends itself (kad-dht does not export its codec): a GET_VALUE or a
 * PUT_VALUE to one chosen peer (direct-record-read.ts, direct-record-put.ts), and the record field of an answer.
 * kad-dht's protobuf `Message`: `type` (field 1, enum: PUT_VALUE = 0, GET_VALUE = 1), `key` (2, bytes), `record` (3,
 * bytes: a serialized libp2p record), closer and provider peers (8, 9) and a cluster level (10), skipped here.
 */
import { DhtAnswerMalformedError } from './errors.js'

const PUT_VALUE = 0
const GET_VALUE = 1
const FIELD_TYPE = 1
const FIELD_KEY = 2
const FIELD_RECORD = 3

/** A protobuf varint. */
function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return out
}

function message (type: number, key: Uint8Array, record?: Uint8Array): Uint8Array {
  const head = [(FIELD_TYPE << 3) | 0, type, (FIELD_KEY << 3) | 2, ...varint(key.byteLength)]
  const recordHead = record === undefined ? [] : [(FIELD_RECORD << 3) | 2, ...varint(record.byteLength)]
  const out = new Uint8Array(head.length + key.byteLength + recordHead.length + (record?.byteLength ?? 0))
  out.set(head)
  out.set(key, head.length)
  if (record !== undefined) {
    out.set(recordHead, head.length + key.byteLength)
    out.set(record, head.length + key.byteLength + recordHead.length)
  }
  return out
}

/** kad-dht's `Message { type: GET_VALUE, key }`. */
export function encodeGetValue (key: Uint8Array): Uint8Array {
  return message(GET_VALUE, key)
}

/** kad-dht's `Message { type: PUT_VALUE, key, record }` (`record`: a serialized libp2p record). */
export function encodePutValue (key: Uint8Array, record: Uint8Array): Uint8Array {
  return message(PUT_VALUE, key, record)
}

/** Reads one varint at `at`; returns it and the offset after it. */
function readVarint (bytes: Uint8Array, at: number): [number, number] {
  let value = 0
  for (let shift = 0, i = at; i < bytes.length && shift < 35; shift += 7, i++) {
    value += (bytes[i] & 0x7f) * 2 ** shift
    if ((bytes[i] & 0x80) === 0) return [value, i + 1]
  }
  throw new DhtAnswerMalformedError('a truncated or oversized varint in a DHT answer')
}

/** The bytes of field 3 (the serialized record) of a kad-dht `Message`, or undefined when the answer has none. */
export function recordField (bytes: Uint8Array): Uint8Array | undefined {
  let at = 0
  let record: Uint8Array | undefined
  while (at < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, at)
    const wireType = tag & 0x7
    at = afterTag
    if (wireType === 0) {
      at = readVarint(bytes, at)[1]
    } else if (wireType === 2) {
      const [length, start] = readVarint(bytes, at)
      if (start + length > bytes.length) throw new DhtAnswerMalformedError('a DHT answer field runs past the end of the message')
      if (tag >>> 3 === FIELD_RECORD) record = bytes.subarray(start, start + length)
      at = start + length
    } else if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4
    } else {
      throw new DhtAnswerMalformedError(`a DHT answer with wire type ${wireType}`)
    }
  }
  if (at > bytes.length) throw new DhtAnswerMalformedError('a DHT answer field runs past the end of the message')
  return record
}
