/**
 * Reads a peer's capacity record from the peer itself: one GET_VALUE on the DHT protocol, sent straight to the
 * provider that discovery just listed (its own DHT store always holds its record), instead of a DHT lookup that asks
 * a dozen peers on the way to the record's key. The answer is checked like any DHT answer: the record must be for the
 * requested key and pass the validator (signature, key, expiry), so a peer can hand out only records it signed
 * itself — as it could through the DHT. A peer that cannot be dialled directly (behind a relay: the DHT does not run on
 * limited connections), does not serve the DHT, or holds no valid record is read through the DHT instead
 * (discovery-source.ts).
 *
 * The kad-dht message is written and read here (kad-dht does not export its codec): the request is
 * `Message { type = GET_VALUE, key }`, and of the answer only field 3, the serialized record, is read.
 */
import { Libp2pRecord } from '@libp2p/record'
import { lpStream } from '@libp2p/utils'
import { logger } from '@libp2p/logger'
import { capacityRecordKey } from '@tessera/memory'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { DHT_PROTOCOL, MAX_DHT_RECORD_SIZE_BYTES } from './constants.js'
import { DhtAnswerMalformedError } from './errors.js'
import { bestValidRecord } from './discovery.js'
import type { DiscoveredPeer } from './discovery.js'
import type { PeerId, Stream } from '@libp2p/interface'
import type { CapacityRecordValidator } from '@tessera/memory'

const log = logger('tessera:peer:direct-read')

/** kad-dht's protobuf `MessageType.GET_VALUE`. */
const GET_VALUE = 1
/** Field numbers of kad-dht's `Message`. */
const FIELD_TYPE = 1
const FIELD_KEY = 2
const FIELD_RECORD = 3

/**
 * Largest answer read: the record and up to 20 closer peers with their addresses. kad-dht answers GET_VALUE with
 * closer peers too; 64 KiB leaves them room many times over.
 */
export const MAX_DIRECT_READ_ANSWER_BYTES = MAX_DHT_RECORD_SIZE_BYTES + 64 * 1024

/** What a direct read needs of a node: opening a stream to a peer on a protocol. */
export interface DirectReadDialer {
  dialProtocol(peer: PeerId, protocol: string, options: { signal: AbortSignal }): Promise<Stream>
}

/** Reads `peer`'s record from `peer` itself; undefined when it holds no valid one. Throws when the exchange fails. */
export type DirectRecordRead = (peer: PeerId, signal: AbortSignal) => Promise<DiscoveredPeer | undefined>

export function directRecordReader (dialer: DirectReadDialer, validator: CapacityRecordValidator): DirectRecordRead {
  return async (peer, signal) => {
    const key = capacityRecordKey(peer)
    const stream = await dialer.dialProtocol(peer, DHT_PROTOCOL, { signal })
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_DIRECT_READ_ANSWER_BYTES })
      await lp.write(encodeGetValue(key), { signal })
      const answer = (await lp.read({ signal })).subarray()
      await stream.close({ signal })
      const serialized = recordField(answer)
      if (serialized === undefined) return undefined
      const record = Libp2pRecord.deserialize(serialized)
      if (!uint8ArrayEquals(record.key, key)) throw new DhtAnswerMalformedError(`${peer.toString()} answered with a record for another key`)
      return await bestValidRecord(validator, key, [record.value])
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }
}

/** A length-prefixed protobuf varint. */
function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return out
}

/** kad-dht's `Message { type: GET_VALUE, key }`. */
export function encodeGetValue (key: Uint8Array): Uint8Array {
  const head = [(FIELD_TYPE << 3) | 0, GET_VALUE, (FIELD_KEY << 3) | 2, ...varint(key.byteLength)]
  const out = new Uint8Array(head.length + key.byteLength)
  out.set(head)
  out.set(key, head.length)
  return out
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
export function recordField (message: Uint8Array): Uint8Array | undefined {
  let at = 0
  let record: Uint8Array | undefined
  while (at < message.length) {
    const [tag, afterTag] = readVarint(message, at)
    const wireType = tag & 0x7
    at = afterTag
    if (wireType === 0) {
      at = readVarint(message, at)[1]
    } else if (wireType === 2) {
      const [length, start] = readVarint(message, at)
      if (start + length > message.length) throw new DhtAnswerMalformedError('a DHT answer field runs past the end of the message')
      if (tag >>> 3 === FIELD_RECORD) record = message.subarray(start, start + length)
      at = start + length
    } else if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4
    } else {
      throw new DhtAnswerMalformedError(`a DHT answer with wire type ${wireType}`)
    }
  }
  if (at > message.length) throw new DhtAnswerMalformedError('a DHT answer field runs past the end of the message')
  log.trace('read a %d-byte answer', message.length)
  return record
}
