/**
 * Reads a peer's capacity record from the peer itself: one GET_VALUE on the DHT protocol, sent straight to the
 * provider that discovery just listed (its own DHT store always holds its record), instead of a DHT lookup that asks
 * a dozen peers on the way to the record's key. The answer is checked like any DHT answer: the record must be for the
 * requested key and pass the validator (signature, key, expiry), so a peer can hand out only records it signed
 * itself — as it could through the DHT. A peer that cannot be dialled directly (behind a relay: the DHT does not run on
 * limited connections), does not serve the DHT, or holds no valid record is read through the DHT instead
 * (discovery-source.ts).
 */
import { Libp2pRecord } from '@libp2p/record'
import { lpStream } from '@libp2p/utils'
import { capacityRecordKey } from '@tessera/memory'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { DHT_PROTOCOL, MAX_DHT_RECORD_SIZE_BYTES } from './constants.js'
import { DhtAnswerMalformedError } from './errors.js'
import { bestValidRecord } from './discovery.js'
import { encodeGetValue, recordField } from './kad-message.js'
import type { DiscoveredPeer } from './discovery.js'
import type { PeerId, Stream } from '@libp2p/interface'
import type { CapacityRecordValidator } from '@tessera/memory'

/**
 * Largest answer read: the record and up to 20 closer peers with their addresses. kad-dht answers GET_VALUE (and
 * PUT_VALUE, with the record) with closer peers too; 64 KiB leaves them room many times over.
 */
export const MAX_DIRECT_READ_ANSWER_BYTES = MAX_DHT_RECORD_SIZE_BYTES + 64 * 1024

/** What a direct read or put needs of a node: opening a stream to a peer on a protocol. */
export interface DirectReadDialer {
  dialProtocol(peer: PeerId, protocol: string, options: { signal: AbortSignal }): Promise<Stream>
}

/** Reads `peer`'s record from `peer` itself; undefined when it holds no valid one. Throws when the exchange fails. */
export type DirectRecordRead = (peer: PeerId, signal: AbortSignal) => Promise<DiscoveredPeer | undefined>

/** Sends one kad-dht message to `peer` on the DHT protocol and returns the record field of its answer, if any. */
export async function exchange (dialer: DirectReadDialer, peer: PeerId, request: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
  const stream = await dialer.dialProtocol(peer, DHT_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_DIRECT_READ_ANSWER_BYTES })
    await lp.write(request, { signal })
    const answer = (await lp.read({ signal })).subarray()
    await stream.close({ signal })
    return recordField(answer)
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

export function directRecordReader (dialer: DirectReadDialer, validator: CapacityRecordValidator): DirectRecordRead {
  return async (peer, signal) => {
    const key = capacityRecordKey(peer)
    const serialized = await exchange(dialer, peer, encodeGetValue(key), signal)
    if (serialized === undefined) return undefined
    const record = Libp2pRecord.deserialize(serialized)
    if (!uint8ArrayEquals(record.key, key)) throw new DhtAnswerMalformedError(`${peer.toString()} answered with a record for another key`)
    return await bestValidRecord(validator, key, [record.value])
  }
}
