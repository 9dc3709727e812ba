/**
 * Puts a node's own record straight to the peers that hold it: one PUT_VALUE each on the DHT protocol, the message
 * kad-dht's put sends once its lookup has found the closest peers. The capacity publisher uses it to refresh the
 * record where the last lookup placed it while the peers closest to the key have not changed (key-placements.ts),
 * and puts through a lookup otherwise: a minute's refresh then costs a node ~20 messages instead of ~45.
 */
import { Libp2pRecord } from '@libp2p/record'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { exchange } from './direct-record-read.js'
import { encodePutValue } from './kad-message.js'
import type { DirectReadDialer } from './direct-record-read.js'
import type { PeerId } from '@libp2p/interface'

/** Puts `value` under `key` on `peer`; true when the peer answered with the value (kad-dht's acknowledgement). */
export type DirectRecordPut = (peer: PeerId, key: Uint8Array, value: Uint8Array, signal: AbortSignal) => Promise<boolean>

export function directRecordPutter (dialer: DirectReadDialer): DirectRecordPut {
  return async (peer, key, value, signal) => {
    const answer = await exchange(dialer, peer, encodePutValue(key, new Libp2pRecord(key, value, new Date()).serialize()), signal)
    return answer !== undefined && uint8ArrayEquals(Libp2pRecord.deserialize(answer).value, value)
  }
}
