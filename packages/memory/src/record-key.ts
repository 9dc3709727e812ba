/**
 * DHT keys of capacity records: `/tessera/cap/<peerId>`. kad-dht routes validation and selection by the first
 * segment (`tessera`) and needs at least three segments.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { CAPACITY_RECORD_KEY_PREFIX } from './constants.js'
import { MalformedRecordError } from './errors.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** The DHT key of `peerId`'s capacity record. */
export function capacityRecordKey (peerId: PeerId | string): Uint8Array {
  return encoder.encode(`${CAPACITY_RECORD_KEY_PREFIX}${peerId.toString()}`)
}

/**
 * The peer a capacity record key belongs to.
 *
 * @throws {MalformedRecordError} not UTF-8, not under `/tessera/cap/`, or not a parseable peer id
 */
export function parseCapacityRecordKey (key: Uint8Array): PeerId {
  let text: string
  try {
    text = decoder.decode(key)
  } catch {
    throw new MalformedRecordError('capacity record key is not UTF-8')
  }
  if (!text.startsWith(CAPACITY_RECORD_KEY_PREFIX)) {
    throw new MalformedRecordError(`key ${JSON.stringify(text.slice(0, 80))} is not under ${CAPACITY_RECORD_KEY_PREFIX}`)
  }
  const id = text.slice(CAPACITY_RECORD_KEY_PREFIX.length)
  if (id.length === 0 || id.includes('/')) throw new MalformedRecordError(`key ${JSON.stringify(text.slice(0, 80))} has no single peer id segment`)
  try {
    return peerIdFromString(id)
  } catch {
    throw new MalformedRecordError(`key segment ${JSON.stringify(id.slice(0, 80))} is not a peer id`)
  }
}
